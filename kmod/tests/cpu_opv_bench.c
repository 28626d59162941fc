// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_opv_bench: cost of cpu_opv vectors against the bare ioctl and against
 * the alternative without cpu_opv (migrate to the CPU, update, migrate back).
 *
 *   cpu_opv_bench [--local N] [--remote M]
 *
 * The bench thread is pinned to the "local" CPU (default 0); "remote" is the
 * other one (default 1). cpu_opv refuses a target outside the caller's
 * affinity mask, so for the remote variants the thread is allowed both CPUs
 * (it stays where it runs: nothing makes the scheduler move it) and each
 * call targets whichever of the two it is not on. Variants run in interleaved batches (round robin,
 * several rounds, median per variant), so drift -- large under QEMU TCG --
 * hits every variant alike. Everything runs twice: with the remote CPU idle
 * and with a thread spinning on it.
 *
 * Environment: CPU_OPV_BENCH_ROUNDS (default 15), CPU_OPV_BENCH_MS (batch
 * length in ms, default 20).
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cpu_opv_sys.h"

static int local_cpu, remote_cpu = 1;
static bool have_dev, have_remote, have_membarrier;
static long errors;

/* Operands: kept on their own cache lines, touched before timing. */
static uint64_t counter __attribute__((aligned(64)));
static volatile uint64_t plain_counter __attribute__((aligned(64)));
static uint64_t cmp_x __attribute__((aligned(64))), cmp_y;
static char big_src[4096] __attribute__((aligned(4096)));
static char big_dst[4096] __attribute__((aligned(4096)));
static uint64_t small_src __attribute__((aligned(64))), small_dst;

static struct cpu_op v_add[1];
static struct cpu_op v_vec4[4];
static struct cpu_op v_big[1];

static void allow_pair(void)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(local_cpu, &s);
	CPU_SET(remote_cpu, &s);
	if (sched_setaffinity(0, sizeof(s), &s))
		errors++;
}

static void pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(0, sizeof(s), &s))
		errors++;
}

static inline void opv(struct cpu_op *v, int n, int cpu, int flags, int want)
{
	if (cpu_opv(v, n, cpu, flags) != want)
		errors++;
}

/* ----- the variants: each runs 'n' iterations ----- */

static void b_floor(long n)
{
	while (n--)
		opv(NULL, 0, -1, CPU_OP_NR_FLAG, NR_CPU_OPS);
}

static void b_getppid(long n)
{
	while (n--)
		syscall(SYS_getppid);
}

static void b_zero_local(long n)
{
	while (n--)
		opv(NULL, 0, local_cpu, 0, 0);
}

/* The CPU of the pair we are not running on: reading it costs next to nothing (rseq). */
static inline int other_cpu(void)
{
	return sched_getcpu() == local_cpu ? remote_cpu : local_cpu;
}

static void b_zero_remote(long n)
{
	while (n--)
		opv(NULL, 0, other_cpu(), 0, 0);
}

static void b_add_local(long n)
{
	while (n--)
		opv(v_add, 1, local_cpu, 0, 0);
}

static void b_add_remote(long n)
{
	while (n--)
		opv(v_add, 1, other_cpu(), 0, 0);
}

static void b_vec4_local(long n)
{
	while (n--)
		opv(v_vec4, 4, local_cpu, 0, 0);
}

static void b_vec4_remote(long n)
{
	while (n--)
		opv(v_vec4, 4, other_cpu(), 0, 0);
}

static void b_big_local(long n)
{
	while (n--)
		opv(v_big, 1, local_cpu, 0, 0);
}

static void b_big_remote(long n)
{
	while (n--)
		opv(v_big, 1, other_cpu(), 0, 0);
}

/* The way without cpu_opv: go there, update, come back. */
static void b_migrate(long n)
{
	while (n--) {
		pin(remote_cpu);
		plain_counter++;
		pin(local_cpu);
	}
}

/* Today's mainline remote fence: IPI one CPU, run nothing there. */
static void b_membarrier(long n)
{
	while (n--)
		if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ,
			    MEMBARRIER_CMD_FLAG_CPU, remote_cpu))
			errors++;
}

enum { NEED_NONE, NEED_DEV, NEED_REMOTE, NEED_DEV_REMOTE, NEED_MEMBARRIER };

struct variant {
	const char *key;
	const char *desc;
	void (*fn)(long n);
	int need;
	long batch;		/* iterations per batch, calibrated */
	long errors;		/* calls with an unexpected result */
	double ns[2][64];	/* per mode, per round */
	double med[2];
};

#define V(k, d, f, n)	{ .key = k, .desc = d, .fn = f, .need = n }

static struct variant variants[] = {
	V("floor", "flag-query ioctl (the floor)", b_floor, NEED_DEV),
	V("getppid", "getppid() syscall (reference)", b_getppid, NEED_NONE),
	V("zero_local", "0-op vector, current CPU", b_zero_local, NEED_DEV),
	V("zero_remote", "0-op vector, remote CPU (IPI floor)", b_zero_remote, NEED_DEV_REMOTE),
	V("add_local", "1-op 8-byte add, current CPU", b_add_local, NEED_DEV),
	V("add_remote", "1-op 8-byte add, remote CPU", b_add_remote, NEED_DEV_REMOTE),
	V("vec4_local", "4-op vector, current CPU", b_vec4_local, NEED_DEV),
	V("vec4_remote", "4-op vector, remote CPU", b_vec4_remote, NEED_DEV_REMOTE),
	V("memcpy4k_local", "4096-byte memcpy, current CPU", b_big_local, NEED_DEV),
	V("memcpy4k_remote", "4096-byte memcpy, remote CPU", b_big_remote, NEED_DEV_REMOTE),
	V("migrate", "setaffinity(remote), add, setaffinity(back)", b_migrate, NEED_REMOTE),
	V("membarrier", "membarrier RSEQ fence of the remote CPU", b_membarrier, NEED_MEMBARRIER),
};

#define NR_VARIANTS	(sizeof(variants) / sizeof(variants[0]))

static bool usable(const struct variant *v)
{
	switch (v->need) {
	case NEED_DEV: return have_dev;
	case NEED_REMOTE: return have_remote;
	case NEED_DEV_REMOTE: return have_dev && have_remote;
	case NEED_MEMBARRIER: return have_membarrier && have_remote;
	default: return true;
	}
}

static struct variant *find(const char *key)
{
	size_t i;

	for (i = 0; i < NR_VARIANTS; i++)
		if (!strcmp(variants[i].key, key))
			return &variants[i];
	return NULL;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double time_batch(struct variant *v, long n)
{
	long e0 = errors;
	double t0, t;

	/* outside the timed part: the mask this variant needs */
	if (v->need == NEED_DEV_REMOTE)
		allow_pair();
	else
		pin(local_cpu);
	t0 = now_ns();
	v->fn(n);
	t = now_ns() - t0;
	v->errors += errors - e0;	/* a failed setaffinity counts too */
	return t;
}

/* Grow the batch until it lasts about target_ns (at least one iteration). */
static void calibrate(struct variant *v, double target_ns)
{
	long n = 1;
	double t;

	time_batch(v, 16);	/* warm caches, fault the operands in */
	for (;;) {
		t = time_batch(v, n);
		if (t >= target_ns / 2 || n >= (1L << 22))
			break;
		n *= 2;
	}
	if (t > 0 && t < target_ns)
		n = (long)(n * (target_ns / t));
	v->batch = n < 1 ? 1 : n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *x, int n)
{
	double tmp[64];

	memcpy(tmp, x, n * sizeof(*x));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n & 1 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* ----- the busy remote CPU ----- */

static atomic_bool spin_stop;
static atomic_bool spin_running;

static void *spinner(void *arg)
{
	(void)arg;
	pin(remote_cpu);
	atomic_store(&spin_running, true);
	while (!atomic_load_explicit(&spin_stop, memory_order_relaxed))
		;
	return NULL;
}

static void run_mode(int mode, int rounds, double batch_ms)
{
	pthread_t th;
	size_t i;
	int r;

	if (mode == 1 && have_remote) {
		atomic_store(&spin_stop, false);
		atomic_store(&spin_running, false);
		pthread_create(&th, NULL, spinner, NULL);
		while (!atomic_load(&spin_running))
			sched_yield();
	}
	/* per mode: a busy remote CPU changes some costs a hundredfold */
	for (i = 0; i < NR_VARIANTS; i++)
		if (usable(&variants[i]))
			calibrate(&variants[i], batch_ms * 1e6);
	/* round robin: every variant gets one batch per round */
	for (r = 0; r < rounds; r++)
		for (i = 0; i < NR_VARIANTS; i++) {
			struct variant *v = &variants[i];

			if (usable(v))
				v->ns[mode][r] = time_batch(v, v->batch) / v->batch;
		}
	for (i = 0; i < NR_VARIANTS; i++)
		if (usable(&variants[i]))
			variants[i].med[mode] = median(variants[i].ns[mode], rounds);
	if (mode == 1 && have_remote) {
		atomic_store(&spin_stop, true);
		pthread_join(th, NULL);
	}
}

static void ratio_line(const char *what, const char *num, const char *den, bool le,
		       double goal)
{
	struct variant *a = find(num), *b = find(den);
	int mode;

	printf("%-34s", what);
	for (mode = 0; mode < 2; mode++) {
		if (!usable(a) || !usable(b) || b->med[mode] <= 0) {
			printf("  %14s", "n/a");
			continue;
		}
		double q = a->med[mode] / b->med[mode];
		bool ok = le ? q <= goal : q >= goal;

		printf("  %8.2f %-5s", q, ok ? "ok" : "MISS");
	}
	printf("  (goal %s %.1f)\n", le ? "<=" : ">=", goal);
}

static void setup_ops(void)
{
	v_add[0] = op_add(&counter, 1, 8);
	cmp_x = cmp_y = 42;
	v_vec4[0] = op_cmp_eq(&cmp_x, &cmp_y, 8);
	v_vec4[1] = op_memcpy(&small_dst, &small_src, 8);
	v_vec4[2] = op_add(&counter, 1, 8);
	v_vec4[3] = op_add_rel(&counter, -1, 8);
	v_big[0] = op_memcpy(big_dst, big_src, 4096);
	memset(big_src, 1, sizeof(big_src));
	memset(big_dst, 0, sizeof(big_dst));
}

int main(int argc, char **argv)
{
	long rounds = getenv("CPU_OPV_BENCH_ROUNDS") ? atol(getenv("CPU_OPV_BENCH_ROUNDS")) : 15;
	double batch_ms = getenv("CPU_OPV_BENCH_MS") ? atof(getenv("CPU_OPV_BENCH_MS")) : 20;
	cpu_set_t mask;
	size_t i;
	int a, mode;

	for (a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--local"))
			local_cpu = atoi(argv[a + 1]);
		else if (!strcmp(argv[a], "--remote"))
			remote_cpu = atoi(argv[a + 1]);
	}
	if (rounds < 1 || rounds > 64)
		rounds = 15;
	if (batch_ms <= 0)
		batch_ms = 20;

	sched_getaffinity(0, sizeof(mask), &mask);
	have_remote = remote_cpu != local_cpu && CPU_ISSET(remote_cpu, &mask) &&
		      CPU_ISSET(local_cpu, &mask);
	pin(local_cpu);
	have_dev = cpu_opv_fd() >= 0;
	have_membarrier = syscall(SYS_membarrier,
				  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0) == 0;
	setup_ops();

	printf("# cpu_opv_bench: local cpu %d, remote cpu %d%s; %ld rounds of ~%.0f ms batches; "
	       "kernel %s%s\n", local_cpu, remote_cpu, have_remote ? "" : " (unavailable)",
	       rounds, batch_ms, getenv("CPU_OPV_KERNEL") ? getenv("CPU_OPV_KERNEL") : "?",
	       getenv("CPU_OPV_VM") ? " (test VM)" : "");
	if (!have_dev)
		printf("# %s not present: cpu_opv rows are n/a\n", CPU_OPV_DEVICE_PATH);

	errors = 0;
	for (mode = 0; mode < 2; mode++)
		run_mode(mode, (int)rounds, batch_ms);

	printf("\n%-46s %12s %8s %12s %8s\n", "variant", "idle ns/op", "x floor",
	       "busy ns/op", "x floor");
	for (i = 0; i < NR_VARIANTS; i++) {
		struct variant *v = &variants[i], *f = find("floor");

		printf("%-46s", v->desc);
		for (mode = 0; mode < 2; mode++) {
			if (!usable(v)) {
				printf(" %12s %8s", "n/a", "");
				continue;
			}
			printf(" %12.0f", v->med[mode]);
			if (usable(f) && f->med[mode] > 0)
				printf(" %8.2f", v->med[mode] / f->med[mode]);
			else
				printf(" %8s", "n/a");
		}
		if (v->errors)
			printf("  (%ld unexpected results)", v->errors);
		printf("\n");
	}
	printf("\n%-34s  %14s  %14s\n", "ratio", "remote idle", "remote busy");
	ratio_line("add-local / floor", "add_local", "floor", true, 2.0);
	ratio_line("add-remote / 0-op-remote", "add_remote", "zero_remote", true, 1.5);
	ratio_line("migrate-and-back / add-remote", "migrate", "add_remote", false, 5.0);
	if (errors)
		printf("# %ld calls returned an unexpected result\n", errors);
	return !have_dev ? 4 : errors ? 1 : 0;
}
