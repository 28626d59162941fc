/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stress of the per-CPU operations of cpuopv_rseq.h: workers (at least
 * twice the CPUs) run every operation on their current CPU while they
 * migrate (sched_setaffinity in a loop) and a storm of signals hits them
 * (each signal delivered inside a section aborts it); "thieves" run the
 * same operations on other CPUs (want >= 0: cpu_opv there, or moving the
 * thread there).  Then everything is drained and checked:
 *
 *   counter   the per-CPU words sum to exactly what was added;
 *   lock      per-CPU cmpeq_store locks: a plain ++ under each lock loses
 *             nothing (mutual exclusion);
 *   stack     every pushed value popped exactly once;
 *   list      every node in exactly one place at the end, no node popped
 *             twice while held;
 *   records   every record popped exactly once, intact;
 *   ring      every committed record consumed exactly once, intact
 *             (commit runs on the reserving CPU after a migration).
 *
 *   rseq_stress [--seconds S] [--threads N] [--inject N] [--max-aborts N]
 *               [--no-cpu-opv]
 *
 * Prints the counts (aborts, slow paths, migrations); exit 0 when every
 * check holds.  Without rseq and without /dev/cpu_opv it checks that the
 * operations answer CPUOPV_PC_UNAVAILABLE and changes nothing, exit 0.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/rseq.h>

#include "libcpuopv.h"
#include "cpuopv_rseq.h"

#define MAXCPU		64
#define STRIDE		4096		/* bytes per CPU in every structure */
#define STACK_CAP	((STRIDE - 8) / 8)
#define NODES		2048
#define NODE_SIZE	64
#define NEXT_OFF	8
#define REC_ESIZE	136		/* [length][up to 128 bytes] */
#define REC_CAP		((STRIDE - 8) / REC_ESIZE)
#define RING_CAP	32
#define RING_ESIZE	64		/* [commit][length][id][pattern...] */
#define RING_TAIL	64
#define RING_ENTRIES	128
#define MAXTHREADS	64
#define IDS_PER_THREAD	(1 << 20)

static int ncpu;
static int allowed[MAXCPU], nallowed;
static volatile int stop;
static int seconds = 3;
static int failures;
static int pcflags;		/* CPUOPV_PC_NO_CPU_OPV with --no-cpu-opv */
/*
 * --two-call: every operation as the JVM's FFM layer makes it: first with
 * CPUOPV_PC_NO_SYSCALL (one rseq attempt), and only when that did not
 * decide (an answer below FAILED: nothing changed) once more without it
 * (with CPUOPV_PC_AFTER_ABORT when the first aborted).
 */
static int two_call;
static __thread int fast_flag;
static uint64_t fast_decided, fast_undecided;
#define FL (pcflags | fast_flag)
#define PC(call) ({							\
	int r_;								\
	if (two_call) {							\
		fast_flag = CPUOPV_PC_NO_SYSCALL;			\
		r_ = (call);						\
		fast_flag = 0;						\
		if (r_ >= CPUOPV_RSEQ_FAILED) {				\
			__atomic_fetch_add(&fast_decided, 1, __ATOMIC_RELAXED); \
		} else {						\
			__atomic_fetch_add(&fast_undecided, 1, __ATOMIC_RELAXED); \
			if (r_ == CPUOPV_RSEQ_ABORTED)			\
				fast_flag = CPUOPV_PC_AFTER_ABORT;	\
			r_ = (call);					\
			fast_flag = 0;					\
		}							\
	} else {							\
		r_ = (call);						\
	}								\
	r_;								\
})

static int64_t *counter;		/* one word per CPU (at 0) */
static char *locks;			/* [lock word][protected count] */
static uint64_t *stacks;
static uint64_t *lists;
static char *nodes;
static int node_held[NODES];
static uint64_t *records;
static char *rings;

static unsigned char *stack_seen;	/* per id: times popped */
static unsigned char *rec_seen;
static unsigned char *ring_seen;

static int64_t added[MAXTHREADS];
static int64_t locked[MAXTHREADS];
static uint64_t pushed_ids[MAXTHREADS], rec_ids[MAXTHREADS], ring_ids[MAXTHREADS];
static uint64_t signals_sent;

#define FAIL(...) do { fprintf(stderr, "FAIL: " __VA_ARGS__); \
		       fputc('\n', stderr); \
		       __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED); } while (0)

static void *alloc(size_t bytes)
{
	void *p = aligned_alloc(4096, (bytes + 4095) & ~(size_t)4095);

	if (!p) {
		perror("aligned_alloc");
		exit(2);
	}
	memset(p, 0, bytes);
	return p;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void pin(int cpu)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	if (cpu >= 0) {
		CPU_SET(cpu, &set);
	} else {
		for (i = 0; i < nallowed; i++)
			CPU_SET(allowed[i], &set);
	}
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		FAIL("sched_setaffinity: %s", strerror(errno));
}

static int check_r(int r, const char *what)
{
	if (r >= 0 || r == CPUOPV_RSEQ_FAILED)
		return r;
	FAIL("%s answered %d%s%s", what, r,
	     CPUOPV_PC_IS_ERRNO(r) ? " errno " : "",
	     CPUOPV_PC_IS_ERRNO(r) ? strerror(CPUOPV_PC_ERRNO_OF(r)) : "");
	stop = 1;
	return r;
}

static void rec_fill(unsigned char *b, uint64_t id, long len)
{
	long i;

	memcpy(b, &id, 8);
	for (i = 8; i < len; i++)
		b[i] = (unsigned char)(id * 31 + (uint64_t)i);
}

static int rec_ok(const unsigned char *b, long len, uint64_t *id)
{
	long i;

	if (len < 8)
		return 0;
	memcpy(id, b, 8);
	for (i = 8; i < len; i++)
		if (b[i] != (unsigned char)(*id * 31 + (uint64_t)i))
			return 0;
	return 1;
}

static void mark(unsigned char *seen, uint64_t id, const char *what)
{
	if (__atomic_fetch_add(&seen[id], 1, __ATOMIC_RELAXED) != 0)
		FAIL("%s id %llu taken twice", what, (unsigned long long)id);
}

static void pop_stack_item(int64_t v)
{
	mark(stack_seen, (uint64_t)v, "stack");
}

static void pop_record(const unsigned char *buf, int64_t len)
{
	uint64_t id;

	if (!rec_ok(buf, len, &id))
		FAIL("record torn (length %lld)", (long long)len);
	else
		mark(rec_seen, id, "record");
}

/* The consumer of one CPU's ring: next entry if committed. */
static int ring_poll(int cpu)
{
	char *slot = rings + (long)cpu * STRIDE;
	uint64_t t = __atomic_load_n((uint64_t *)(slot + RING_TAIL), __ATOMIC_RELAXED);
	char *e = slot + RING_ENTRIES + (t % RING_CAP) * RING_ESIZE;
	uint64_t c = __atomic_load_n((uint64_t *)e, __ATOMIC_ACQUIRE);
	uint64_t id;

	if (c != t / RING_CAP + 1)
		return 0;
	if (!rec_ok((unsigned char *)e + 16, *(int64_t *)(e + 8), &id))
		FAIL("ring record torn");
	else
		mark(ring_seen, id, "ring");
	__atomic_store_n((uint64_t *)(slot + RING_TAIL), t + 1, __ATOMIC_RELEASE);
	return 1;
}

static pthread_mutex_t ring_consumer = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	long id = (long)arg;
	uint64_t s = 0x9e3779b97f4a7c15ULL * (uint64_t)(id + 1);
	unsigned char buf[REC_ESIZE];
	int pinned = 0;

	while (!stop) {
		unsigned op = (unsigned)(rnd(&s) % 16);
		int want = -1, r;

		if (rnd(&s) % 16 == 0) {
			pinned = !pinned && nallowed > 1;
			pin(pinned ? allowed[rnd(&s) % nallowed] : -1);
		}
		/* one op in four of the structures is a remote ("thief") one */
		if (!pinned && rnd(&s) % 4 == 0)
			want = allowed[rnd(&s) % nallowed];
		switch (op) {
		case 0: case 1: case 2: {
			int64_t d = (int64_t)(rnd(&s) % 1000) + 1;

			r = check_r(PC(cpuopv_pc_add(counter, STRIDE, d, want, FL)), "add");
			if (r >= 0)
				added[id] += d;
			break;
		}
		case 3: {
			r = check_r(PC(cpuopv_pc_cmpeq_store((int64_t *)locks, STRIDE, 0, 1, want, FL)), "lock");
			if (r >= 0) {
				volatile int64_t *p = (int64_t *)(locks + (long)r * STRIDE + 8);

				*p = *p + 1;	/* plain: the lock must make it safe */
				__atomic_store_n((int64_t *)(locks + (long)r * STRIDE), 0, __ATOMIC_RELEASE);
				locked[id]++;
			} else {
				sched_yield();	/* held by a preempted thread on this CPU */
			}
			break;
		}
		case 4: case 5: {
			uint64_t v = (uint64_t)id * IDS_PER_THREAD + pushed_ids[id];

			if (pushed_ids[id] + 1 >= IDS_PER_THREAD)
				break;
			r = check_r(PC(cpuopv_pc_stack_push(stacks, STRIDE, STACK_CAP, (int64_t)v, want, FL)), "stack push");
			if (r >= 0)
				pushed_ids[id]++;
			break;
		}
		case 6: case 7: {
			int64_t v;

			r = check_r(PC(cpuopv_pc_stack_pop(stacks, STRIDE, want, FL, &v)), "stack pop");
			if (r >= 0)
				pop_stack_item(v);
			break;
		}
		case 8: case 9: {
			uint64_t n;

			r = check_r(PC(cpuopv_pc_list_pop(lists, STRIDE, NEXT_OFF, want, FL, &n)), "list pop");
			if (r >= 0) {
				long k = (long)((n - (uint64_t)(uintptr_t)nodes) / NODE_SIZE);

				if (n < (uint64_t)(uintptr_t)nodes || k >= NODES) {
					FAIL("list pop gave %#llx", (unsigned long long)n);
					break;
				}
				if (__atomic_exchange_n(&node_held[k], 1, __ATOMIC_ACQ_REL))
					FAIL("node %ld popped while held", k);
				/* use it a little, then give it back */
				memset(nodes + k * NODE_SIZE + 16, (int)id, NODE_SIZE - 16);
				__atomic_store_n(&node_held[k], 0, __ATOMIC_RELEASE);
				want = rnd(&s) % 4 == 0 && !pinned ? allowed[rnd(&s) % nallowed] : -1;
				check_r(PC(cpuopv_pc_list_push(lists, STRIDE, n, NEXT_OFF, want, FL)), "list push");
			}
			break;
		}
		case 10: case 11: {
			long len = 8 + (long)(rnd(&s) % (REC_ESIZE - 16));
			uint64_t rid = (uint64_t)id * IDS_PER_THREAD + rec_ids[id];

			if (rec_ids[id] + 1 >= IDS_PER_THREAD)
				break;
			rec_fill(buf, rid, len);
			r = check_r(PC(cpuopv_pc_record_push(records, STRIDE, REC_CAP, REC_ESIZE, buf, len, want, FL)), "record push");
			if (r >= 0)
				rec_ids[id]++;
			break;
		}
		case 12: case 13: {
			int64_t len;

			r = check_r(PC(cpuopv_pc_record_pop(records, STRIDE, REC_ESIZE, buf, want, FL, &len)), "record pop");
			if (r >= 0)
				pop_record(buf, len);
			break;
		}
		case 14: {
			uint64_t h, rid = (uint64_t)id * IDS_PER_THREAD + ring_ids[id];
			char *e;

			if (ring_ids[id] + 1 >= IDS_PER_THREAD)
				break;
			r = check_r(PC(cpuopv_pc_reserve((uint64_t *)rings, STRIDE, RING_TAIL, RING_CAP, -1, FL, &h)), "reserve");
			if (r < 0)
				break;
			e = rings + (long)r * STRIDE + RING_ENTRIES + (h % RING_CAP) * RING_ESIZE;
			*(int64_t *)(e + 8) = 40;
			rec_fill((unsigned char *)e + 16, rid, 40);
			ring_ids[id]++;
			if (rnd(&s) % 2 == 0 && !pinned)	/* migrate between reserve and commit */
				pin(allowed[rnd(&s) % nallowed]), pinned = 1;
			/* commit on the reserving CPU, wherever we run now */
			while (check_r(PC(cpuopv_pc_add((int64_t *)(rings + RING_ENTRIES + (h % RING_CAP) * RING_ESIZE),
						     STRIDE, 1, r, FL)), "commit") < 0 && !stop)
				;
			break;
		}
		case 15:
			if (pthread_mutex_trylock(&ring_consumer) == 0) {
				int i;

				for (i = 0; i < nallowed; i++)
					while (ring_poll(allowed[i]))
						;
				pthread_mutex_unlock(&ring_consumer);
			}
			break;
		}
	}
	pin(-1);
	return NULL;
}

static pthread_t threads[MAXTHREADS];
static int nthreads;

static void on_signal(int sig)
{
	(void)sig;
}

static void *storm(void *arg)
{
	uint64_t s = 12345;
	struct timespec ts = { 0, 20000 };

	(void)arg;
	while (!stop) {
		pthread_kill(threads[rnd(&s) % (uint64_t)nthreads], SIGUSR1);
		signals_sent++;
		if (signals_sent % 8 == 0)
			nanosleep(&ts, NULL);
	}
	return NULL;
}

static void drain_and_check(void)
{
	int64_t total = 0, sum = 0, lk = 0, prot = 0;
	uint64_t id, nfree = 0;
	unsigned char buf[REC_ESIZE];
	int i, t;

	for (i = 0; i < nallowed; i++) {
		int cpu = allowed[i];
		int64_t v, len;
		uint64_t n;

		sum += counter[(long)cpu * STRIDE / 8];
		prot += *(int64_t *)(locks + (long)cpu * STRIDE + 8);
		if (*(int64_t *)(locks + (long)cpu * STRIDE))
			FAIL("lock of cpu %d still held", cpu);
		while (check_r(PC(cpuopv_pc_stack_pop(stacks, STRIDE, cpu, FL, &v)), "drain stack") >= 0)
			pop_stack_item(v);
		while (check_r(PC(cpuopv_pc_list_pop(lists, STRIDE, NEXT_OFF, cpu, FL, &n)), "drain list") >= 0)
			nfree++;
		while (check_r(PC(cpuopv_pc_record_pop(records, STRIDE, REC_ESIZE, buf, cpu, FL, &len)), "drain records") >= 0)
			pop_record(buf, len);
		while (ring_poll(cpu))
			;
	}
	for (t = 0; t < nthreads; t++) {
		total += added[t];
		lk += locked[t];
		for (id = 0; id < pushed_ids[t]; id++)
			if (stack_seen[t * IDS_PER_THREAD + id] != 1)
				FAIL("stack id %d/%llu popped %d times", t, (unsigned long long)id,
				     stack_seen[t * IDS_PER_THREAD + id]);
		for (id = 0; id < rec_ids[t]; id++)
			if (rec_seen[t * IDS_PER_THREAD + id] != 1)
				FAIL("record id %d/%llu popped %d times", t, (unsigned long long)id,
				     rec_seen[t * IDS_PER_THREAD + id]);
		for (id = 0; id < ring_ids[t]; id++)
			if (ring_seen[t * IDS_PER_THREAD + id] != 1)
				FAIL("ring id %d/%llu consumed %d times", t, (unsigned long long)id,
				     ring_seen[t * IDS_PER_THREAD + id]);
	}
	if (sum != total)
		FAIL("counter: per-CPU words sum to %lld, added %lld", (long long)sum, (long long)total);
	if (prot != lk)
		FAIL("lock: %lld increments under the lock, %lld locks taken", (long long)prot, (long long)lk);
	if (nfree != NODES)
		FAIL("list: %llu nodes drained of %d", (unsigned long long)nfree, NODES);
	printf("counter %lld (exact: %s), locks %lld, stack %llu items, records %llu, ring %llu, list %llu nodes\n",
	       (long long)total, sum == total ? "yes" : "NO", (long long)lk,
	       (unsigned long long)({ uint64_t x = 0; for (t = 0; t < nthreads; t++) x += pushed_ids[t]; x; }),
	       (unsigned long long)({ uint64_t x = 0; for (t = 0; t < nthreads; t++) x += rec_ids[t]; x; }),
	       (unsigned long long)({ uint64_t x = 0; for (t = 0; t < nthreads; t++) x += ring_ids[t]; x; }),
	       (unsigned long long)nfree);
}

/*
 * A thread whose rseq area has no CPU number (cpu_id < 0: glibc's
 * registration failed, or here, unregistered by hand) while __rseq_size
 * says rseq is there: an operation must never use that number as an index
 * (it would write below the array and look like a failed compare).  It
 * runs through cpu_opv, or answers UNAVAILABLE without it.
 */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));

static void *unregistered_thread(void *arg)
{
	int64_t *words = arg;	/* [guard][CPU 0][CPU 1]... one word apart */
	struct rseq *rs = (struct rseq *)((char *)__builtin_thread_pointer() +
					  __rseq_offset);
	int kernel = cpuopv_pc_use_cpu_opv(), r, i;
	int64_t sum = 0;

	/* glibc registers the original 32-byte area (__rseq_size may say less) */
	if (syscall(__NR_rseq, rs, 32, RSEQ_FLAG_UNREGISTER,
		    CPUOPV_RSEQ_SIG) != 0) {
		FAIL("rseq unregister: %s", strerror(errno));
		return NULL;
	}
	if ((int)rs->cpu_id >= 0)
		FAIL("cpu_id %d after unregistering", (int)rs->cpu_id);
	r = cpuopv_pc_add(words + 1, 8, 5, -1, 0);
	for (i = 0; i < MAXCPU; i++)
		sum += words[1 + i];
	if (words[0] != 0)
		FAIL("unregistered add wrote below the array (%lld)", (long long)words[0]);
	if (kernel ? (r < 0 || sum != 5) : (r != CPUOPV_PC_UNAVAILABLE || sum != 0))
		FAIL("unregistered add answered %d, added %lld (cpu_opv %s)", r,
		     (long long)sum, kernel ? "there" : "absent");
	r = cpuopv_pc_add(words + 1, 8, 5, -1, CPUOPV_PC_NO_SYSCALL);
	if (r >= CPUOPV_RSEQ_FAILED || words[0] != 0)
		FAIL("unregistered NO_SYSCALL add answered %d", r);
	return NULL;
}

static void check_unregistered(void)
{
	int64_t *words = alloc(8 * (MAXCPU + 1));
	pthread_t t;

	if (cpuopv_rseq_status() != 0)
		return;
	pthread_create(&t, NULL, unregistered_thread, words);
	pthread_join(t, NULL);
	printf("%s - an unregistered thread's operations index nothing\n",
	       failures ? "not ok" : "ok");
	free(words);
}

int main(int argc, char **argv)
{
	struct cpuopv_pc_stats st;
	struct sigaction sa;
	pthread_t storm_thread;
	cpu_set_t set;
	int i, inject = 0, no_cpu_opv = 0, rs = cpuopv_rseq_status(), kernel;

	nthreads = 0;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			nthreads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--inject") && i + 1 < argc)
			inject = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--max-aborts") && i + 1 < argc)
			cpuopv_pc_set_max_aborts(atoi(argv[++i]));
		else if (!strcmp(argv[i], "--no-cpu-opv"))
			no_cpu_opv = 1;
		else if (!strcmp(argv[i], "--two-call"))
			two_call = 1;
		else {
			fprintf(stderr, "usage: %s [--seconds S] [--threads N] [--inject N] [--max-aborts N] [--no-cpu-opv] [--two-call]\n", argv[0]);
			return 2;
		}
	}
	if (no_cpu_opv)
		pcflags = CPUOPV_PC_NO_CPU_OPV;
	kernel = !no_cpu_opv && cpuopv_pc_use_cpu_opv();
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return perror("sched_getaffinity"), 2;
	for (i = 0; i < MAXCPU; i++)
		if (CPU_ISSET(i, &set))
			allowed[nallowed++] = i;
	ncpu = allowed[nallowed - 1] + 1;
	if (nthreads <= 0)
		nthreads = nallowed * 2 < 4 ? 4 : nallowed * 2;
	if (nthreads > MAXTHREADS)
		nthreads = MAXTHREADS;
	printf("rseq: %s; cpu_opv slow path: %s; %d CPUs allowed, %d threads, %d s, inject %d, max aborts %d\n",
	       rs == 0 ? "registered" : rs == ENOTSUP ? "not registered (__rseq_size 0)" : "glibc has none",
	       kernel ? "yes" : "no", nallowed, nthreads, seconds, inject, cpuopv_pc_max_aborts());

	counter = alloc((size_t)ncpu * STRIDE);
	locks = alloc((size_t)ncpu * STRIDE);
	stacks = alloc((size_t)ncpu * STRIDE);
	lists = alloc((size_t)ncpu * STRIDE);
	records = alloc((size_t)ncpu * STRIDE);
	rings = alloc((size_t)ncpu * STRIDE);
	nodes = alloc(NODES * NODE_SIZE);
	stack_seen = alloc((size_t)MAXTHREADS * IDS_PER_THREAD);
	rec_seen = alloc((size_t)MAXTHREADS * IDS_PER_THREAD);
	ring_seen = alloc((size_t)MAXTHREADS * IDS_PER_THREAD);

	if (rs != 0 && !kernel) {
		int r = cpuopv_pc_add(counter, STRIDE, 1, -1, pcflags);

		if (r != CPUOPV_PC_UNAVAILABLE || counter[0] != 0) {
			printf("not ok - without rseq and cpu_opv an add answered %d\n", r);
			return 1;
		}
		printf("ok - neither rseq nor cpu_opv: operations answer CPUOPV_PC_UNAVAILABLE and change nothing\n");
		return 0;
	}
	check_unregistered();
	/* every node starts on the list of some allowed CPU */
	for (i = 0; i < NODES; i++)
		if (check_r(cpuopv_pc_list_push(lists, STRIDE, (uint64_t)(uintptr_t)(nodes + (long)i * NODE_SIZE),
						NEXT_OFF, kernel ? allowed[i % nallowed] : -1, pcflags), "list seed") < 0)
			return 1;
	cpuopv_pc_inject_aborts(inject);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < nthreads; i++)
		pthread_create(&threads[i], NULL, worker, (void *)(long)i);
	pthread_create(&storm_thread, NULL, storm, NULL);
	sleep((unsigned)seconds);
	stop = 1;
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_join(storm_thread, NULL);
	cpuopv_pc_inject_aborts(0);
	pin(-1);
	drain_and_check();
	cpuopv_pc_get_stats(&st);
	printf("aborts %llu (injected %llu), slow paths %llu, migrations %llu, signals %llu\n",
	       (unsigned long long)st.aborts, (unsigned long long)st.injected,
	       (unsigned long long)st.slow, (unsigned long long)st.migrations,
	       (unsigned long long)signals_sent);
	if (two_call) {
		printf("two calls: %llu decided by the NO_SYSCALL call, %llu needed the second\n",
		       (unsigned long long)fast_decided,
		       (unsigned long long)fast_undecided);
		/* with rseq, most must be decided by the first call (else it was never tried) */
		if (rs == 0 && inject == 0 && fast_decided <= fast_undecided) {
			printf("# the NO_SYSCALL call decided too few operations\n");
			failures++;
		}
		if (rs == 0 && inject > 0 && fast_undecided == 0) {
			printf("# injected aborts never reached the second call\n");
			failures++;
		}
	}
	if (failures) {
		printf("not ok - %d failures\n", failures);
		return 1;
	}
	printf("ok - every item exactly once, counters exact\n");
	return 0;
}
