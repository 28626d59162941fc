// SPDX-License-Identifier: GPL-2.0
/*
 * cpu_opv_test: ioctl-level regression suite for /dev/cpu_opv (kselftest-style TAP 13).
 *
 *   cpu_opv_test [-l] [case-pattern...]
 *
 * Every case runs in its own child process (so a crash or a hang in one
 * case is reported as that case failing, not as a lost run) with a timeout.
 * Exit status: 0 all ran cases passed, 1 any failed, 4 all skipped (among
 * them: /dev/cpu_opv absent, plan "1..0 # SKIP").
 *
 * Environment (all optional; defaults sized for QEMU TCG with 2 vCPUs):
 *   CPU_OPV_SCALE=<float>       multiply every stress/loop count (default 1)
 *   CPU_OPV_LEAK_CALLS=<n>      calls of the leak check (default 100000)
 *   CPU_OPV_FUZZ_VECTORS=<n>    random vectors (default 10000)
 *   CPU_OPV_LOAD_LOOPS=<n>      rmmod/insmod cycles (default 100)
 *   CPU_OPV_CASE_TIMEOUT=<s>    per-case timeout (default 60)
 *   CPU_OPV_SEED=<n>            seed of the random cases (default: time)
 *   CPU_OPV_VM, CPU_OPV_KO      set by test-vm/run: module (un)load cases run only then
 *   TMPDIR                      where the file-mapping cases create their files (/tmp)
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "cpu_opv_sys.h"

#define KSFT_PASS	0
#define KSFT_FAIL	1
#define KSFT_SKIP	4

/* ------------------------------------------------------------------ */
/* Environment: CPUs, page size, tunables.                             */
/* ------------------------------------------------------------------ */

static long page_sz;
static int nr_cpu_ids_;			/* possible CPUs: cpu >= this is EINVAL */
static cpu_set_t start_mask;		/* the affinity we were started with */
static int allowed[CPU_SETSIZE];	/* online CPUs of start_mask */
static int n_allowed;
static int cpu_a;			/* "local" CPU of the functional cases */
static int cpu_b = -1;			/* "remote" CPU, -1 on a 1-CPU machine */
static int n_targets;			/* roles of tcpu(): 1, or 2 with 2 CPUs */
static double scale = 1.0;
static bool in_vm;
static const char *ko_path;
static uint64_t seed;

/* Count scaled by CPU_OPV_SCALE, at least 1. */
static long scaled(long base)
{
	long n = (long)(base * scale);

	return n < 1 ? 1 : n;
}

static long env_long(const char *name, long def)
{
	const char *s = getenv(name);

	return s && *s ? strtol(s, NULL, 0) : def;
}

/* "0-3,5" style CPU list (sysfs) -> highest CPU + 1. */
static int parse_cpulist_max(const char *path)
{
	char buf[256], *p;
	int max = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (p = buf; *p; ) {
		if (isdigit((unsigned char)*p)) {
			int v = (int)strtol(p, &p, 10);

			if (v > max)
				max = v;
		} else {
			p++;
		}
	}
	return max + 1;
}

static bool cpu_online(int cpu)
{
	char path[96];
	int c;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	f = fopen(path, "r");
	if (!f)
		return true;	/* no file: not hotpluggable, so online (cpu0) */
	c = fgetc(f);
	fclose(f);
	return c != '0';
}

static void setup_cpus(void)
{
	int cpu;

	nr_cpu_ids_ = parse_cpulist_max("/sys/devices/system/cpu/possible");
	if (nr_cpu_ids_ <= 0)
		nr_cpu_ids_ = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (sched_getaffinity(0, sizeof(start_mask), &start_mask))
		CPU_ZERO(&start_mask);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &start_mask) && cpu_online(cpu))
			allowed[n_allowed++] = cpu;
	cpu_a = n_allowed ? allowed[0] : 0;
	n_targets = 1;
	if (n_allowed > 1) {
		cpu_b = allowed[1];
		n_targets = 2;
	}
}

static int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void unpin_self(void)
{
	sched_setaffinity(0, sizeof(start_mask), &start_mask);
}

/*
 * The CPU a functional check targets. Role 0: the CPU we run on (the
 * interrupts-off local path, unless we migrate in between); role 1:
 * another allowed CPU (the IPI path). The caller keeps its whole mask:
 * by the spec a target outside it is EINVAL, so we cannot pin ourselves
 * to one CPU and call another.
 */
static int tcpu(int role)
{
	int cur = sched_getcpu();

	if (cur < 0)
		cur = cpu_a;
	if (role == 0 || cpu_b < 0)
		return cur;
	return cur == cpu_a ? cpu_b : cpu_a;
}

/* ------------------------------------------------------------------ */
/* Reporting: diagnostics, failure counting, per-case skip reason.     */
/* ------------------------------------------------------------------ */

/* Shared with the parent so a child can say why it skipped. */
struct case_shm {
	char skip_reason[256];
	char numa_saved[8];	/* kernel.numa_balancing before the NUMA case */
	bool reserved_1g;	/* the 1 GiB case reserved a page at run time */
};
static struct case_shm *shm;

static atomic_int fails;
static atomic_int diag_budget = 60;	/* keep a broken case from flooding the log */

static void diag(const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("# %s\n", buf);
	fflush(stdout);
}

static void fail_at(int line, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	atomic_fetch_add(&fails, 1);
	if (atomic_fetch_sub(&diag_budget, 1) <= 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("#   FAIL line %d: %s\n", line, buf);
	fflush(stdout);
}

#define FAIL(...)		fail_at(__LINE__, __VA_ARGS__)
#define CHECK(cond, ...)	do { if (!(cond)) FAIL(__VA_ARGS__); } while (0)

static int skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shm->skip_reason, sizeof(shm->skip_reason), fmt, ap);
	va_end(ap);
	return KSFT_SKIP;
}

static int case_result(void)
{
	return atomic_load(&fails) ? KSFT_FAIL : KSFT_PASS;
}

static bool kernel_at_least(int major, int minor);
static int missing(const char *fmt, ...);

static const char *errname(int e)
{
	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case EAGAIN: return "EAGAIN";
	case ENOTTY: return "ENOTTY";
	case ENOENT: return "ENOENT";
	case EBUSY: return "EBUSY";
	case EPERM: return "EPERM";
	case ENOMEM: return "ENOMEM";
	case ENXIO: return "ENXIO";
	case ENODEV: return "ENODEV";
	case EEXIST: return "EEXIST";
	case EINTR: return "EINTR";
	default: return strerror(e);
	}
}

/*
 * Check one call's outcome. want >= 0: the call must return want. want < 0:
 * it must fail with errno -want. Returns true when it matched.
 */
static bool expect_ret(int line, const char *what, int ret, int err, int want)
{
	if (want >= 0 && ret == want)
		return true;
	if (want < 0 && ret == -1 && err == -want)
		return true;
	if (want >= 0)
		fail_at(line, "%s: want %d, got %d%s%s", what, want, ret,
			ret < 0 ? " errno " : "", ret < 0 ? errname(err) : "");
	else
		fail_at(line, "%s: want -1 %s, got %d%s%s", what, errname(-want),
			ret, ret < 0 ? " errno " : "", ret < 0 ? errname(err) : "");
	return false;
}

/* Evaluate the call once, capture errno right after it, then check. */
#define EXPECT(what, call, want) ({					\
	int __r = (call);						\
	int __e = errno;						\
	expect_ret(__LINE__, what, __r, __e, want);			\
})

/* Small rotating printf buffers for the "what" of a check. */
static const char *sfmt(const char *fmt, ...)
{
	static __thread char bufs[4][256];
	static __thread int i;
	char *b = bufs[i++ & 3];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, 256, fmt, ap);
	va_end(ap);
	return b;
}

/* ------------------------------------------------------------------ */
/* Memory helpers.                                                     */
/* ------------------------------------------------------------------ */

/* Never mappable (below mmap_min_addr), so always an unmapped operand. */
#define LOW_UNMAPPED	((void *)0x1000UL)

static void *map_anon(size_t pages, int prot)
{
	void *p = mmap(NULL, pages * page_sz, prot,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(KSFT_FAIL);
	}
	return p;
}

static void unmap(void *p, size_t pages)
{
	munmap(p, pages * page_sz);
}

/*
 * A fresh RW mapping of n pages followed by one unmapped page (the hole).
 * It is placed far below the mmap area: a 1-page gap up there would be
 * filled by the next 1-page mmap (the top-down allocator takes the highest
 * gap that fits), silently turning "unmapped" into "mapped".
 */
static char *map_then_hole(size_t n)
{
	static uintptr_t next = 0x200000000000UL;	/* 32 TiB */
	char *p;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		void *want = (void *)next;

		next += (n + 16) * page_sz;
		p = mmap(want, (n + 1) * page_sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == want)
			break;
		if (p != MAP_FAILED)	/* old kernel: hint ignored, not where we asked */
			munmap(p, (n + 1) * page_sz);
		p = NULL;
	}
	if (!p)
		p = map_anon(n + 1, PROT_READ | PROT_WRITE);
	munmap(p + n * page_sz, page_sz);
	return p;
}

/* One read-only page whose content is the byte 'fill'. */
static char *map_ro_page(int fill)
{
	char *p = map_anon(1, PROT_READ | PROT_WRITE);

	memset(p, fill, page_sz);
	mprotect(p, page_sz, PROT_READ);
	return p;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: quality is plenty for picking cases. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t rnd_r(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static void fill_pattern(void *p, size_t len, uint64_t salt)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		c[i] = (unsigned char)((i * 131 + salt * 7 + (i >> 8)) ^ salt);
}

/* Index of the first byte of [p, p+len) that is not 'v', or -1. */
static long first_not(const void *p, size_t len, int v)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i] != (unsigned char)v)
			return (long)i;
	return -1;
}

static const unsigned int data_lens[] = {
	0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 63, 64, 65, 100,
	255, 256, 511, 1000, 2047, 2048, 3000, 4000, 4095, 4096,
};

/* Where (2^47 or 2^56) the user address space ends: TASK_SIZE_MAX. */
static uint64_t user_va_end(void)
{
#if defined(__x86_64__)
	/* A hint above 47 bits is honoured only with 5-level paging. */
	void *p = mmap((void *)(1UL << 50), page_sz, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != MAP_FAILED) {
		munmap(p, page_sz);
		return (1ULL << 56) - page_sz;
	}
	return (1ULL << 47) - page_sz;
#else
	return 0;	/* unknown: only the clearly-kernel addresses are tested */
#endif
}

/* Addresses that are in the kernel half on every 64-bit layout. */
static const uint64_t kernel_addrs[] = {
	1ULL << 63,
	0xffff888000000000ULL,		/* x86-64 direct map */
	0xffffffff81000000ULL,		/* x86-64 kernel text */
	0xffffffffff600000ULL,		/* x86-64 vsyscall page */
	~0ULL - 4095,
	~0ULL,
};

/* ------------------------------------------------------------------ */
/* Threads used by several cases.                                      */
/* ------------------------------------------------------------------ */

struct spinner {
	pthread_t th;
	int cpu;
	atomic_bool stop;
	atomic_bool running;
};

static void *spinner_fn(void *arg)
{
	struct spinner *s = arg;

	pin_self(s->cpu);
	atomic_store(&s->running, true);
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed))
		;
	return NULL;
}

/* Keep 'cpu' busy in user mode, so a call to it needs a real interrupt. */
static void spinner_start(struct spinner *s, int cpu)
{
	s->cpu = cpu;
	atomic_store(&s->stop, false);
	atomic_store(&s->running, false);
	pthread_create(&s->th, NULL, spinner_fn, s);
	while (!atomic_load(&s->running))
		sched_yield();
}

static void spinner_stop(struct spinner *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
}

/* ------------------------------------------------------------------ */
/* Flag queries and the empty vector.                                  */
/* ------------------------------------------------------------------ */

static int t_flags_nr_query(void)
{
	EXPECT("NR flag, NULL/0/-1", cpu_opv(NULL, 0, -1, CPU_OP_NR_FLAG), NR_CPU_OPS);
	EXPECT("NR flag, NULL/0/0", cpu_opv(NULL, 0, 0, CPU_OP_NR_FLAG), NR_CPU_OPS);
	return case_result();
}

static int t_flags_vec_len_max_query(void)
{
	EXPECT("VEC_LEN_MAX flag", cpu_opv(NULL, 0, -1, CPU_OP_VEC_LEN_MAX_FLAG),
	       CPU_OP_VEC_LEN_MAX);
	return case_result();
}

/* The queries ignore vector and cpu entirely: garbage there changes nothing. */
static int t_flags_query_ignores_args(void)
{
	uint64_t c = 7;
	struct cpu_op v[1] = { op_add(&c, 1, 8) };

	EXPECT("NR flag, bad vector ptr, cnt 3",
	       cpu_opv(LOW_UNMAPPED, 3, -1, CPU_OP_NR_FLAG), NR_CPU_OPS);
	EXPECT("NR flag, cnt 99, cpu 99999", cpu_opv(NULL, 99, 99999, CPU_OP_NR_FLAG),
	       NR_CPU_OPS);
	EXPECT("VEC_LEN_MAX flag, cnt -1, cpu INT_MIN",
	       cpu_opv(NULL, -1, INT_MIN, CPU_OP_VEC_LEN_MAX_FLAG), CPU_OP_VEC_LEN_MAX);
	EXPECT("NR flag with a real vector", cpu_opv(v, 1, cpu_a, CPU_OP_NR_FLAG), NR_CPU_OPS);
	EXPECT("VEC_LEN_MAX flag with a real vector",
	       cpu_opv(v, 1, cpu_a, CPU_OP_VEC_LEN_MAX_FLAG), CPU_OP_VEC_LEN_MAX);
	CHECK(c == 7, "a flag query ran the vector: counter %" PRIu64, c);
	return case_result();
}

static int t_flags_einval(void)
{
	static const int bad[] = {
		CPU_OP_NR_FLAG | CPU_OP_VEC_LEN_MAX_FLAG, 4, 8, 1 << 30, INT_MIN,
		-1, CPU_OP_NR_FLAG | 4, CPU_OP_VEC_LEN_MAX_FLAG | 0x100,
	};
	uint64_t c = 7;
	struct cpu_op v[1] = { op_add(&c, 1, 8) };
	size_t i;

	for (i = 0; i < CPU_OPV_ARRAY_SIZE(bad); i++) {
		EXPECT(sfmt("flags 0x%x, NULL vector", bad[i]),
		       cpu_opv(NULL, 0, -1, bad[i]), -EINVAL);
		EXPECT(sfmt("flags 0x%x, real vector", bad[i]),
		       cpu_opv(v, 1, cpu_a, bad[i]), -EINVAL);
	}
	CHECK(c == 7, "an EINVAL flags call ran the vector: counter %" PRIu64, c);
	return case_result();
}

static int t_zero_ops(void)
{
	struct cpu_op v[1];
	int i;

	memset(v, 0xff, sizeof(v));	/* not read: cnt is 0 */
	for (i = 0; i < n_targets; i++) {
		EXPECT(sfmt("0 ops, NULL vector, cpu %d", tcpu(i)),
		       cpu_opv(NULL, 0, tcpu(i), 0), 0);
		EXPECT(sfmt("0 ops, garbage vector, cpu %d", tcpu(i)),
		       cpu_opv(v, 0, tcpu(i), 0), 0);
	}
	return case_result();
}

/* ------------------------------------------------------------------ */
/* Each operation at each legal length, on the local and remote CPU.   */
/* ------------------------------------------------------------------ */

/*
 * Two 2-page buffers; the bytes past 'len' differ between a and b, so a
 * compare that reads too far sees a difference.
 */
static void setup_cmp(char *a, char *b, unsigned int len, uint64_t salt)
{
	fill_pattern(a, len, salt);
	memcpy(b, a, len);
	memset(a + len, 0xaa, 2 * page_sz - len);
	memset(b + len, 0x55, 2 * page_sz - len);
}

static int cmp_lengths(int type)
{
	bool eq = type == CPU_COMPARE_EQ_OP;
	char *a = map_anon(2, PROT_READ | PROT_WRITE);
	char *b = map_anon(2, PROT_READ | PROT_WRITE);
	char *sa = malloc(2 * page_sz), *sb = malloc(2 * page_sz);
	const char *name = eq ? "cmp_eq" : "cmp_ne";
	size_t i;
	int t;

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);

		for (i = 0; i < CPU_OPV_ARRAY_SIZE(data_lens); i++) {
			unsigned int len = data_lens[i];
			struct cpu_op v[1] = { cpu_op_cmp(type, a, b, len) };
			/* where to plant a difference: first, middle, last byte */
			unsigned int at[3] = { 0, len / 2, len ? len - 1 : 0 };
			int k;

			setup_cmp(a, b, len, len + t);
			memcpy(sa, a, 2 * page_sz);
			memcpy(sb, b, 2 * page_sz);
			EXPECT(sfmt("%s len %u equal, cpu %d", name, len, cpu),
			       cpu_opv(v, 1, cpu, 0), eq ? 0 : 1);
			CHECK(!memcmp(a, sa, 2 * page_sz) && !memcmp(b, sb, 2 * page_sz),
			      "%s len %u modified its operands", name, len);
			for (k = 0; len && k < 3; k++) {
				setup_cmp(a, b, len, len + t);
				b[at[k]] ^= 0x01;
				EXPECT(sfmt("%s len %u differ at %u, cpu %d", name, len,
					    at[k], cpu),
				       cpu_opv(v, 1, cpu, 0), eq ? 1 : 0);
			}
		}
	}
	free(sa);
	free(sb);
	unmap(a, 2);
	unmap(b, 2);
	return case_result();
}

static int t_cmp_eq_lengths(void)
{
	return cmp_lengths(CPU_COMPARE_EQ_OP);
}

static int t_cmp_ne_lengths(void)
{
	return cmp_lengths(CPU_COMPARE_NE_OP);
}

/* dst sits 64 bytes into a 3-page buffer with 0xee guards on both sides. */
static int memcpy_lengths(int type)
{
	const char *name = type == CPU_MEMCPY_OP ? "memcpy" : "memcpy_release";
	char *dbuf = map_anon(3, PROT_READ | PROT_WRITE);
	char *sbuf = map_anon(3, PROT_READ | PROT_WRITE);
	char *dst = dbuf + 64, *src = sbuf + 128;
	char *ssrc = malloc(3 * page_sz);
	size_t i;
	int t;

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);

		for (i = 0; i < CPU_OPV_ARRAY_SIZE(data_lens); i++) {
			unsigned int len = data_lens[i];
			struct cpu_op v[1] = { cpu_op_copy(type, dst, src, len) };

			memset(dbuf, 0xee, 3 * page_sz);
			fill_pattern(sbuf, 3 * page_sz, len * 3 + t);
			memcpy(ssrc, sbuf, 3 * page_sz);
			if (!EXPECT(sfmt("%s len %u, cpu %d", name, len, cpu),
				    cpu_opv(v, 1, cpu, 0), 0))
				continue;
			CHECK(!memcmp(dst, src, len), "%s len %u: dst != src", name, len);
			CHECK(first_not(dbuf, 64, 0xee) < 0,
			      "%s len %u wrote before dst", name, len);
			CHECK(first_not(dst + len, 3 * page_sz - 64 - len, 0xee) < 0,
			      "%s len %u wrote past dst+len (at +%ld)", name, len,
			      first_not(dst + len, 3 * page_sz - 64 - len, 0xee));
			CHECK(!memcmp(sbuf, ssrc, 3 * page_sz), "%s len %u changed src",
			      name, len);
		}
	}
	free(ssrc);
	unmap(dbuf, 3);
	unmap(sbuf, 3);
	return case_result();
}

static int t_memcpy_lengths(void)
{
	return memcpy_lengths(CPU_MEMCPY_OP);
}

static int t_memcpy_release_lengths(void)
{
	return memcpy_lengths(CPU_MEMCPY_RELEASE_OP);
}

/* What *p += count leaves in a len-byte little/big-endian-agnostic integer. */
static uint64_t add_expect(uint64_t v, int64_t count, unsigned int len)
{
	uint64_t r = v + (uint64_t)count;

	return len == 8 ? r : r & ((1ULL << (len * 8)) - 1);
}

static uint64_t load_n(const void *p, unsigned int len)
{
	uint8_t v8; uint16_t v16; uint32_t v32; uint64_t v64;

	switch (len) {
	case 1: memcpy(&v8, p, 1); return v8;
	case 2: memcpy(&v16, p, 2); return v16;
	case 4: memcpy(&v32, p, 4); return v32;
	default: memcpy(&v64, p, 8); return v64;
	}
}

static void store_n(void *p, uint64_t v, unsigned int len)
{
	uint8_t v8 = (uint8_t)v; uint16_t v16 = (uint16_t)v; uint32_t v32 = (uint32_t)v;

	switch (len) {
	case 1: memcpy(p, &v8, 1); break;
	case 2: memcpy(p, &v16, 2); break;
	case 4: memcpy(p, &v32, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

struct add_case {
	uint64_t init;
	int64_t count;
};

static const struct add_case add_cases[] = {
	{ 0, 1 }, { 5, -3 }, { 0, -1 }, { 1, -2 }, { ~0ULL, 1 },
	{ 0x7f, 1 }, { 0x7fff, 1 }, { 0x7fffffff, 1 }, { 0x7fffffffffffffffULL, 1 },
	{ 0x80, -1 }, { 0x1234, 0x100000001LL }, { 42, INT64_MIN }, { 42, INT64_MAX },
	{ 0xfe, 0x102 }, { 0, 0 },
};

/*
 * One add at p (offset 'off' into a sentinel-filled area), checked for the
 * wrapped value and for untouched neighbours.
 */
static void check_add_at(int type, char *area, size_t area_len, size_t off,
			 unsigned int len, int cpu, const char *where)
{
	const char *name = type == CPU_ADD_OP ? "add" : "add_release";
	size_t i;

	for (i = 0; i < CPU_OPV_ARRAY_SIZE(add_cases); i++) {
		const struct add_case *ac = &add_cases[i];
		uint64_t init = add_expect(ac->init, 0, len);
		struct cpu_op v[1] = { cpu_op_arith(type, area + off, ac->count, len) };
		uint64_t got, want = add_expect(init, ac->count, len);

		memset(area, 0xc3, area_len);
		store_n(area + off, init, len);
		if (!EXPECT(sfmt("%s len %u %s: 0x%" PRIx64 " + %" PRId64 ", cpu %d",
				 name, len, where, init, ac->count, cpu),
			    cpu_opv(v, 1, cpu, 0), 0))
			continue;
		got = load_n(area + off, len);
		CHECK(got == want, "%s len %u %s: 0x%" PRIx64 " + %" PRId64
		      " = 0x%" PRIx64 ", want 0x%" PRIx64, name, len, where, init,
		      ac->count, got, want);
		CHECK(first_not(area, off, 0xc3) < 0 &&
		      first_not(area + off + len, area_len - off - len, 0xc3) < 0,
		      "%s len %u %s touched a neighbouring byte", name, len, where);
	}
}

static int add_lengths(int type)
{
	static const unsigned int lens[] = { 1, 2, 4, 8 };
	char *area = map_anon(1, PROT_READ | PROT_WRITE);
	size_t i;
	int t;

	for (t = 0; t < n_targets; t++)
		for (i = 0; i < CPU_OPV_ARRAY_SIZE(lens); i++)
			check_add_at(type, area, 64, 16, lens[i], tcpu(t), "aligned");
	unmap(area, 1);
	return case_result();
}

static int t_add_lengths(void)
{
	return add_lengths(CPU_ADD_OP);
}

static int t_add_release_lengths(void)
{
	return add_lengths(CPU_ADD_RELEASE_OP);
}

/* Misaligned operands are legal (byte-wise is allowed), results must be right. */
static int t_unaligned_operands(void)
{
	static const unsigned int lens[] = { 2, 4, 8 };
	static const unsigned int offs[] = { 1, 3, 5, 6, 7 };
	char *area = map_anon(1, PROT_READ | PROT_WRITE);
	char *x = map_anon(1, PROT_READ | PROT_WRITE);
	size_t i, j;
	int t;

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);

		for (i = 0; i < CPU_OPV_ARRAY_SIZE(lens); i++)
			for (j = 0; j < CPU_OPV_ARRAY_SIZE(offs); j++) {
				check_add_at(CPU_ADD_OP, area, 64, 16 + offs[j], lens[i],
					     cpu, sfmt("at +%u", offs[j]));
				check_add_at(CPU_ADD_RELEASE_OP, area, 64, 16 + offs[j],
					     lens[i], cpu, sfmt("at +%u", offs[j]));
			}
		for (j = 0; j < CPU_OPV_ARRAY_SIZE(offs); j++) {
			char *d = area + 100 + offs[j], *s = x + 333 + offs[j];
			struct cpu_op cp[1] = { op_memcpy(d, s, 77) };
			struct cpu_op eq[1] = { op_cmp_eq(d, s, 77) };
			struct cpu_op ne[1] = { op_cmp_ne(d, s, 77) };

			memset(area, 0, page_sz);
			fill_pattern(x, page_sz, offs[j]);
			EXPECT("unaligned memcpy 77", cpu_opv(cp, 1, cpu, 0), 0);
			CHECK(!memcmp(d, s, 77), "unaligned memcpy: dst != src");
			CHECK(d[-1] == 0 && d[77] == 0, "unaligned memcpy wrote outside");
			EXPECT("unaligned cmp_eq equal", cpu_opv(eq, 1, cpu, 0), 0);
			EXPECT("unaligned cmp_ne equal", cpu_opv(ne, 1, cpu, 0), 1);
			d[76] ^= 0x80;
			EXPECT("unaligned cmp_eq differ", cpu_opv(eq, 1, cpu, 0), 1);
			EXPECT("unaligned cmp_ne differ", cpu_opv(ne, 1, cpu, 0), 0);
		}
	}
	unmap(area, 1);
	unmap(x, 1);
	return case_result();
}

/* Operands that cross a page boundary: the module must pin and reach both pages. */
static int t_page_straddling(void)
{
	char *p = map_anon(3, PROT_READ | PROT_WRITE);
	char *q = map_anon(3, PROT_READ | PROT_WRITE);
	char *sq = malloc(3 * page_sz);
	char *edge = p + page_sz;	/* boundary between p's pages 0 and 1 */
	static const unsigned int lens[] = { 2, 4, 8 };
	size_t i;
	int t;

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);
		char *dst = p + 3000, *src = q + 100 + page_sz - 50;
		struct cpu_op cp[1] = { op_memcpy(dst, src, 4096) };
		struct cpu_op eq[1] = { op_cmp_eq(dst, src, 4096) };

		for (i = 0; i < CPU_OPV_ARRAY_SIZE(lens); i++)
			check_add_at(CPU_ADD_OP, edge - 16, 32, 16 - lens[i] / 2, lens[i],
				     cpu, "across a page boundary");

		memset(p, 0x11, 3 * page_sz);
		fill_pattern(q, 3 * page_sz, 99 + t);
		memcpy(sq, q, 3 * page_sz);
		EXPECT("memcpy 4096, both operands straddle", cpu_opv(cp, 1, cpu, 0), 0);
		CHECK(!memcmp(dst, src, 4096), "straddling memcpy: dst != src");
		CHECK(first_not(p, 3000, 0x11) < 0 &&
		      first_not(dst + 4096, 3 * page_sz - 3000 - 4096, 0x11) < 0,
		      "straddling memcpy wrote outside dst");
		CHECK(!memcmp(q, sq, 3 * page_sz), "straddling memcpy changed src");
		EXPECT("cmp_eq 4096 straddling, equal", cpu_opv(eq, 1, cpu, 0), 0);
		dst[4095] ^= 1;	/* the difference is in the second page */
		EXPECT("cmp_eq 4096 straddling, differ in 2nd page",
		       cpu_opv(eq, 1, cpu, 0), 1);
		dst[4095] ^= 1;
		dst[0] ^= 1;
		EXPECT("cmp_eq 4096 straddling, differ in 1st page",
		       cpu_opv(eq, 1, cpu, 0), 1);
	}
	free(sq);
	unmap(p, 3);
	unmap(q, 3);
	return case_result();
}

/* Full vectors: every op kind, in order, each seeing the previous one's effect. */
static int t_vec4(void)
{
	char *m = map_anon(3, PROT_READ | PROT_WRITE);
	uint64_t *x = (uint64_t *)m, *y = x + 1, *c = x + 2;
	uint32_t *c4 = (uint32_t *)(x + 3);
	char *d = m + 256, *s = m + 512, *big_d = m + page_sz, *big_s = m + 2 * page_sz;
	int t;

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);
		struct cpu_op all[4] = {
			op_cmp_eq(x, y, 8), op_memcpy(d, s, 64),
			op_add(c, 5, 8), op_add_rel(c4, -1, 4),
		};
		struct cpu_op chain[4] = {
			op_memcpy(x, s, 8),		/* x = s[0..8] */
			op_cmp_eq(x, s, 8),		/* sees the copy */
			op_add(x, 1, 8),		/* x = s + 1 */
			op_cmp_ne(x, s, 8),		/* sees the add */
		};
		struct cpu_op same[4] = {
			op_add(c, 1, 8), op_add_rel(c, 1, 8), op_add(c, 1, 8),
			op_add_rel(c, 1, 8),
		};
		struct cpu_op max_sum[4] = {
			op_memcpy_rel(big_d, big_s, 4096), op_add(c, 1, 8),
			op_add(y, 1, 8), op_add_rel(c, 1, 8),
		};
		uint64_t s0;

		memset(m, 0, 3 * page_sz);
		*x = *y = 0x1234;
		fill_pattern(s, 64, 5);
		EXPECT(sfmt("4 ops cmp/memcpy/add/add_release, cpu %d", cpu),
		       cpu_opv(all, 4, cpu, 0), 0);
		CHECK(!memcmp(d, s, 64) && *c == 5 && *c4 == UINT32_MAX,
		      "4-op vector: memcpy %s, c %" PRIu64 ", c4 0x%x",
		      memcmp(d, s, 64) ? "missing" : "ok", *c, *c4);

		memcpy(&s0, s, 8);
		EXPECT("4 ops, each depending on the previous", cpu_opv(chain, 4, cpu, 0), 0);
		CHECK(*x == s0 + 1, "dependent chain: x 0x%" PRIx64 " want 0x%" PRIx64,
		      *x, s0 + 1);

		*c = 0;
		EXPECT("4 adds on one word", cpu_opv(same, 4, cpu, 0), 0);
		CHECK(*c == 4, "4 adds on one word gave %" PRIu64, *c);

		fill_pattern(big_s, page_sz, 77);
		*c = 0;
		*y = 0;
		EXPECT("sum of len exactly 4120 (4096 + 3 x 8)",
		       cpu_opv(max_sum, 4, cpu, 0), 0);
		CHECK(!memcmp(big_d, big_s, 4096) && *c == 2 && *y == 1,
		      "4120-byte vector did not run completely");
	}
	unmap(m, 3);
	return case_result();
}

/* A failing compare at index k returns k+1: ops before it ran, none after. */
static int t_failed_compare_index(void)
{
	uint64_t ctr[4], one = 1, two = 2;
	int k, t, ne;

	for (t = 0; t < n_targets; t++)
		for (ne = 0; ne < 2; ne++)
			for (k = 0; k < 4; k++) {
				struct cpu_op v[4];
				int i;

				for (i = 0; i < 4; i++) {
					ctr[i] = 100;
					v[i] = i & 1 ? op_add_rel(&ctr[i], 1, 8) :
						       op_add(&ctr[i], 1, 8);
				}
				v[k] = ne ? op_cmp_ne(&one, &one, 8) : op_cmp_eq(&one, &two, 8);
				EXPECT(sfmt("%s fails at index %d, cpu %d",
					    ne ? "cmp_ne" : "cmp_eq", k, tcpu(t)),
				       cpu_opv(v, 4, tcpu(t), 0), k + 1);
				for (i = 0; i < 4; i++) {
					if (i == k)
						continue;
					CHECK(ctr[i] == (i < k ? 101u : 100u),
					      "compare failing at %d: op %d %s", k, i,
					      i < k ? "did not run" : "ran anyway");
				}
			}

	/* memcpy before the failure ran; the one after did not */
	for (t = 0; t < n_targets; t++) {
		char a[16] = "aaaaaaaaaaaaaaa", b[16] = "bbbbbbbbbbbbbbb";
		char c[16] = "ccccccccccccccc", d[16] = "ddddddddddddddd";
		struct cpu_op v[3] = {
			op_memcpy(a, b, 16), op_cmp_eq(c, d, 16), op_memcpy(c, d, 16),
		};

		EXPECT("memcpy, failing cmp, memcpy", cpu_opv(v, 3, tcpu(t), 0), 2);
		CHECK(!memcmp(a, b, 16) && memcmp(c, d, 16),
		      "memcpy around a failed compare: before %s, after %s",
		      memcmp(a, b, 16) ? "missing" : "ok", memcmp(c, d, 16) ? "ok" : "ran");
	}
	return case_result();
}

/* The zero-length rules of the spec: no memory touched, 0 bytes compare equal. */
static int t_zero_length_rules(void)
{
	char *none = map_anon(1, PROT_NONE);
	char *ro = map_ro_page(0x42);
	char *holed = map_then_hole(1);
	char *hole = holed + page_sz;
	uint64_t c = 0, x = 1, y = 2;
	int t;

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);
		struct cpu_op v[1];
		struct cpu_op chain[3] = {
			op_add(&c, 1, 8), op_cmp_ne(&x, &y, 0), op_add(&c, 1, 8),
		};

		v[0] = op_cmp_eq(NULL, NULL, 0);
		EXPECT("cmp_eq NULL,NULL len 0", cpu_opv(v, 1, cpu, 0), 0);
		v[0] = op_cmp_ne(NULL, NULL, 0);
		EXPECT("cmp_ne NULL,NULL len 0 (0 bytes are equal)", cpu_opv(v, 1, cpu, 0), 1);
		v[0] = op_cmp_eq(&x, &y, 0);
		EXPECT("cmp_eq of different values, len 0", cpu_opv(v, 1, cpu, 0), 0);
		v[0] = op_cmp_eq(LOW_UNMAPPED, hole, 0);
		EXPECT("cmp_eq unmapped len 0", cpu_opv(v, 1, cpu, 0), 0);
		v[0] = op_memcpy(NULL, LOW_UNMAPPED, 0);
		EXPECT("memcpy NULL <- unmapped, len 0", cpu_opv(v, 1, cpu, 0), 0);
		v[0] = op_memcpy_rel(ro, none, 0);
		EXPECT("memcpy_release read-only <- PROT_NONE, len 0", cpu_opv(v, 1, cpu, 0), 0);
		v[0] = op_memcpy(hole, none, 0);
		v[0].u.memcpy_op.expect_fault_dst = 1;
		v[0].u.memcpy_op.expect_fault_src = 1;
		EXPECT("memcpy len 0 with expect_fault set: not EAGAIN",
		       cpu_opv(v, 1, cpu, 0), 0);
		c = 0;
		EXPECT("add, cmp_ne len 0, add", cpu_opv(chain, 3, cpu, 0), 2);
		CHECK(c == 1, "cmp_ne len 0 at index 1: counter %" PRIu64 ", want 1", c);
	}
	CHECK(ro[0] == 0x42 && first_not(ro, page_sz, 0x42) < 0, "read-only page changed");
	unmap(none, 1);
	unmap(ro, 1);
	unmap(holed, 1);
	return case_result();
}

/* ------------------------------------------------------------------ */
/* EINVAL: each row of the table; an EINVAL vector changes nothing.    */
/* ------------------------------------------------------------------ */

/*
 * Callers build vectors whose first op is add(&canary, 1, 8): if the call
 * fails validation as it must, the canary proves that op did not run either.
 */
static uint64_t canary;

static void expect_einval(int line, const char *what, struct cpu_op *v, int cnt, int cpu)
{
	int r, e;

	canary = 1000;
	r = cpu_opv(v, cnt, cpu, 0);
	e = errno;
	expect_ret(line, what, r, e, -EINVAL);
	if (canary != 1000)
		fail_at(line, "%s: an earlier op ran (canary %" PRIu64 ")", what, canary);
}

#define EXPECT_EINVAL(what, v, cnt, cpu) expect_einval(__LINE__, what, v, cnt, cpu)

static int t_einval_reserved(void)
{
	static const uint32_t bad[] = { 1, 0x80000000u, 0xffffffffu };
	struct cpu_op v[1] = { op_add(&canary, 1, 8) };
	struct cpu_opv_args args;
	size_t i;

	for (i = 0; i < CPU_OPV_ARRAY_SIZE(bad); i++) {
		canary = 1000;
		memset(&args, 0, sizeof(args));
		args.cpuopv = (uintptr_t)v;
		args.cpuopcnt = 1;
		args.cpu = cpu_a;
		args.reserved = bad[i];
		EXPECT(sfmt("reserved 0x%x", bad[i]), cpu_opv_args_exec(&args), -EINVAL);
		CHECK(canary == 1000, "reserved != 0 still ran the vector");
		args.cpuopcnt = 0;
		EXPECT(sfmt("reserved 0x%x, 0 ops", bad[i]), cpu_opv_args_exec(&args), -EINVAL);
	}
	canary = 1000;
	args.reserved = 0;
	args.cpuopcnt = 1;
	EXPECT("reserved 0 (control)", cpu_opv_args_exec(&args), 0);
	CHECK(canary == 1001, "control vector did not run");
	return case_result();
}

static int t_einval_cpu_negative(void)
{
	static const int bad[] = { -1, -2, INT_MIN };
	struct cpu_op v[1] = { op_add(&canary, 1, 8) };
	size_t i;

	for (i = 0; i < CPU_OPV_ARRAY_SIZE(bad); i++) {
		EXPECT_EINVAL(sfmt("cpu %d", bad[i]), v, 1, bad[i]);
		EXPECT(sfmt("cpu %d, 0 ops", bad[i]), cpu_opv(NULL, 0, bad[i], 0), -EINVAL);
	}
	return case_result();
}

static int t_einval_cpu_too_large(void)
{
	int bad[] = { nr_cpu_ids_, nr_cpu_ids_ + 1, 4096, 8192, INT_MAX };
	struct cpu_op v[1] = { op_add(&canary, 1, 8) };
	size_t i;

	diag("nr_cpu_ids %d", nr_cpu_ids_);
	for (i = 0; i < CPU_OPV_ARRAY_SIZE(bad); i++) {
		EXPECT_EINVAL(sfmt("cpu %d (nr_cpu_ids %d)", bad[i], nr_cpu_ids_), v, 1, bad[i]);
		EXPECT(sfmt("cpu %d, 0 ops", bad[i]), cpu_opv(NULL, 0, bad[i], 0), -EINVAL);
	}
	return case_result();
}

/* A CPU outside the caller's affinity mask is refused: it is the caller's business. */
static int t_einval_cpu_not_allowed(void)
{
	struct cpu_op v[1] = { op_add(&canary, 1, 8) };

	if (cpu_b < 0)
		return skip("needs 2 allowed CPUs");
	if (pin_self(cpu_a))
		return skip("sched_setaffinity: %s", strerror(errno));
	EXPECT_EINVAL(sfmt("cpu %d outside mask {%d}", cpu_b, cpu_a), v, 1, cpu_b);
	EXPECT("0 ops on a CPU outside the mask", cpu_opv(NULL, 0, cpu_b, 0), -EINVAL);
	canary = 0;
	EXPECT("own CPU (control)", cpu_opv(v, 1, cpu_a, 0), 0);
	CHECK(canary == 1, "control did not run");

	if (pin_self(cpu_b))
		return skip("sched_setaffinity: %s", strerror(errno));
	EXPECT_EINVAL(sfmt("cpu %d outside mask {%d}", cpu_a, cpu_b), v, 1, cpu_a);
	unpin_self();
	canary = 0;
	EXPECT("mask restored: cpu_a allowed again", cpu_opv(v, 1, cpu_a, 0), 0);
	EXPECT("mask restored: cpu_b allowed again", cpu_opv(v, 1, cpu_b, 0), 0);
	CHECK(canary == 2, "controls after restoring the mask did not run");
	return case_result();
}

static int t_einval_cpuopcnt(void)
{
	static const int bad[] = { -1, -4, INT_MIN, 5, 6, 16, 1000, INT_MAX };
	struct cpu_op v[32];
	size_t i;

	/* Enough readable, valid ops that only the count itself is wrong. */
	for (i = 0; i < CPU_OPV_ARRAY_SIZE(v); i++)
		v[i] = op_add(&canary, 1, 8);
	for (i = 0; i < CPU_OPV_ARRAY_SIZE(bad); i++)
		EXPECT_EINVAL(sfmt("cpuopcnt %d", bad[i]), v, bad[i], cpu_a);
	canary = 0;
	EXPECT("cpuopcnt 4 (control)", cpu_opv(v, 4, cpu_a, 0), 0);
	CHECK(canary == 4, "control vector: canary %" PRIu64, canary);
	return case_result();
}

static int t_einval_unknown_op(void)
{
	static const int bad[] = { -1, NR_CPU_OPS, NR_CPU_OPS + 1, 100, INT_MAX, INT_MIN };
	uint64_t x = 0;
	size_t i;
	int pos;

	for (i = 0; i < CPU_OPV_ARRAY_SIZE(bad); i++)
		for (pos = 1; pos < 4; pos++) {
			struct cpu_op v[4] = {
				op_add(&canary, 1, 8), op_add(&canary, 1, 8),
				op_add(&canary, 1, 8), op_add(&canary, 1, 8),
			};

			v[pos] = op_add(&x, 1, 8);
			v[pos].op = bad[i];
			EXPECT_EINVAL(sfmt("op %d at index %d", bad[i], pos), v, 4, cpu_a);
		}
	CHECK(x == 0, "an unknown op wrote memory");
	return case_result();
}

static int t_einval_bad_len(void)
{
	static const unsigned int bad_data[] = { 4097, 8192, 65536, 0x80000000u, 0xffffffffu };
	static const unsigned int bad_arith[] = { 0, 3, 5, 6, 7, 9, 16, 4096, 0xffffffffu };
	char *m = map_anon(4, PROT_READ | PROT_WRITE);
	size_t i;
	int type;

	for (type = CPU_COMPARE_EQ_OP; type <= CPU_MEMCPY_RELEASE_OP; type++)
		for (i = 0; i < CPU_OPV_ARRAY_SIZE(bad_data); i++) {
			struct cpu_op v[2] = { op_add(&canary, 1, 8) };

			v[1] = type <= CPU_COMPARE_NE_OP ?
				cpu_op_cmp(type, m, m + 2 * page_sz, bad_data[i]) :
				cpu_op_copy(type, m, m + 2 * page_sz, bad_data[i]);
			EXPECT_EINVAL(sfmt("op %d len %u", type, bad_data[i]), v, 2, cpu_a);
		}
	for (type = CPU_ADD_OP; type <= CPU_ADD_RELEASE_OP; type++)
		for (i = 0; i < CPU_OPV_ARRAY_SIZE(bad_arith); i++) {
			struct cpu_op v[2] = {
				op_add(&canary, 1, 8),
				cpu_op_arith(type, m + 64, 1, bad_arith[i]),
			};

			EXPECT_EINVAL(sfmt("op %d len %u", type, bad_arith[i]), v, 2, cpu_a);
		}
	CHECK(first_not(m, 4 * page_sz, 0) < 0, "an op with a bad len wrote memory");
	unmap(m, 4);
	return case_result();
}

static int t_einval_sum_len(void)
{
	char *m = map_anon(4, PROT_READ | PROT_WRITE);
	char *d = m, *s = m + 2 * page_sz;
	uint64_t x = 0, y = 0;
	struct cpu_op v[4];

	/* written: the controls must not depend on how the zero page is handled */
	fill_pattern(m, 4 * page_sz, 9);
	v[0] = op_add(&canary, 1, 8);
	v[1] = op_memcpy(d, s, 4096);
	v[2] = op_memcpy(d + 4096, s, 9);	/* 8 + 4096 + 9 = 4113: fine */
	v[3] = op_memcpy(d + 4200, s, 8);	/* 4121 */
	EXPECT_EINVAL("add 8 + memcpy 4096 + memcpy 9 + memcpy 8 = 4121", v, 4, cpu_a);
	v[3] = op_memcpy(d + 4200, s, 7);	/* 4120 */
	canary = 0;
	EXPECT("add 8 + memcpy 4096 + 9 + 7 = 4120 (control)", cpu_opv(v, 4, cpu_a, 0), 0);

	v[0] = op_cmp_eq(d, s, 4096);
	v[1] = op_cmp_eq(d, s, 4096);
	EXPECT("cmp 4096 + cmp 4096", cpu_opv(v, 2, cpu_a, 0), -EINVAL);

	v[0] = op_add(&canary, 1, 8);
	v[1] = op_memcpy(d, s, 2000);
	v[2] = op_memcpy(d + 2048, s, 2000);
	v[3] = op_memcpy(d + 4096, s, 113);	/* 8 + 4000 + 113 = 4121 */
	EXPECT_EINVAL("8 + 2000 + 2000 + 113 = 4121", v, 4, cpu_a);

	v[0] = op_memcpy(d, s, 1031);
	v[1] = op_memcpy(d + 1100, s, 1031);
	v[2] = op_memcpy(d + 2200, s, 1031);
	v[3] = op_memcpy(d + 3300, s, 1031);	/* 4124 */
	EXPECT("4 x 1031 = 4124", cpu_opv(v, 4, cpu_a, 0), -EINVAL);
	v[3].len = 1027;			/* 4120 */
	EXPECT("3 x 1031 + 1027 = 4120 (control)", cpu_opv(v, 4, cpu_a, 0), 0);

	v[0] = op_add(&x, 1, 8);
	v[1] = op_memcpy(d, s, 4096);
	v[2] = op_cmp_eq(d, s, 4096);
	v[3] = op_add(&y, 1, 8);
	EXPECT("add + memcpy 4096 + cmp 4096 + add", cpu_opv(v, 4, cpu_a, 0), -EINVAL);
	CHECK(x == 0 && y == 0, "a too-long vector ran some ops");
	unmap(m, 4);
	return case_result();
}

/* Operand addresses in the kernel half: EINVAL, whatever the length. */
static int t_einval_kernel_address(void)
{
	static const unsigned int lens[] = { 0, 1, 8 };
	size_t i, j;
	int type, which;

	for (i = 0; i < CPU_OPV_ARRAY_SIZE(kernel_addrs); i++) {
		void *k = (void *)(uintptr_t)kernel_addrs[i];

		for (j = 0; j < CPU_OPV_ARRAY_SIZE(lens); j++)
			for (type = 0; type < NR_CPU_OPS; type++)
				for (which = 0; which < 2; which++) {
					unsigned int len = lens[j];
					struct cpu_op v[2] = { op_add(&canary, 1, 8) };
					uint64_t ok = 0;

					if (type >= CPU_ADD_OP) {
						if (which || !len)
							continue;
						v[1] = cpu_op_arith(type, k, 1, len);
					} else if (type <= CPU_COMPARE_NE_OP) {
						v[1] = cpu_op_cmp(type, which ? &ok : k,
								  which ? k : &ok, len);
					} else {
						v[1] = cpu_op_copy(type, which ? &ok : k,
								   which ? k : &ok, len);
					}
					EXPECT_EINVAL(sfmt("op %d operand %d at 0x%" PRIx64
							   " len %u", type, which,
							   kernel_addrs[i], len),
						      v, 2, cpu_a);
				}
	}
	return case_result();
}

/* The first address past TASK_SIZE_MAX, and past the canonical 47/56-bit hole. */
static int t_einval_address_at_user_end(void)
{
	uint64_t end = user_va_end();
	uint64_t addrs[3];
	static const unsigned int lens[] = { 0, 8 };
	size_t i, j;
	int r, e;

	if (!end)
		return skip("user address space end unknown on this architecture");
	diag("user address space ends at 0x%" PRIx64, end);
	addrs[0] = end;
	addrs[1] = end + page_sz;
	addrs[2] = end | (end >> 1) | 0xfff;	/* top of the canonical lower half */
	for (i = 0; i < CPU_OPV_ARRAY_SIZE(addrs); i++)
		for (j = 0; j < CPU_OPV_ARRAY_SIZE(lens); j++) {
			uint64_t ok = 0;
			struct cpu_op v[2] = {
				op_add(&canary, 1, 8),
				op_memcpy((void *)(uintptr_t)addrs[i], &ok, lens[j]),
			};

			EXPECT_EINVAL(sfmt("memcpy dst 0x%" PRIx64 " len %u", addrs[i],
					   lens[j]), v, 2, cpu_a);
			v[1] = op_cmp_eq(&ok, (void *)(uintptr_t)addrs[i], lens[j]);
			EXPECT_EINVAL(sfmt("cmp_eq b 0x%" PRIx64 " len %u", addrs[i],
					   lens[j]), v, 2, cpu_a);
		}

	/* A range that starts in user space and runs past its end: refused. */
	{
		uint64_t ok = 0;
		struct cpu_op v[2] = {
			op_add(&canary, 1, 8),
			op_memcpy(&ok, (void *)(uintptr_t)(end - 8), 16),
		};

		canary = 1000;
		r = cpu_opv(v, 2, cpu_a, 0);
		e = errno;
		CHECK(r == -1 && (e == EINVAL || e == EFAULT),
		      "src [end-8, end+8): want EINVAL or EFAULT, got %d %s", r,
		      r < 0 ? errname(e) : "");
		CHECK(canary == 1000, "range across the end: an op ran");
		if (r == -1)
			diag("range across the user end: %s", errname(e));
	}
	return case_result();
}

/* ------------------------------------------------------------------ */
/* EFAULT / ENOTTY / EAGAIN.                                           */
/* ------------------------------------------------------------------ */

/* Run [add(&canary), op] on cpu: must give 'want', and the add must not have run. */
static void expect_bad_op(int line, const char *what, struct cpu_op op, int cpu, int want)
{
	struct cpu_op v[2] = { op_add(&canary, 1, 8), op };
	int r, e;

	canary = 1000;
	r = cpu_opv(v, 2, cpu, 0);
	e = errno;
	expect_ret(line, what, r, e, want);
	if (want < 0 && canary != 1000)
		fail_at(line, "%s: the op before it ran (canary %" PRIu64 ")", what, canary);
	if (want == 0 && r == 0 && canary != 1001)
		fail_at(line, "%s: returned 0 but the op before it did not run", what);
}

#define EXPECT_BAD_OP(what, op, cpu, want) expect_bad_op(__LINE__, what, op, cpu, want)

/*
 * Every op kind with 'bad' as each of its operands, at a few lengths. If
 * 'readable', reading 'bad' is fine (a read-only page) and only the
 * written operands must fail with 'want'.
 */
static void fault_all_operands(const char *where, char *bad, bool readable, int want)
{
	static const unsigned int lens[] = { 1, 8, 4096 };
	char *good = map_anon(2, PROT_READ | PROT_WRITE);
	size_t j;
	int t;

	memset(good, 0x3e, 2 * page_sz);

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);

		for (j = 0; j < CPU_OPV_ARRAY_SIZE(lens); j++) {
			unsigned int l = lens[j];

			if (readable) {
				EXPECT_BAD_OP(sfmt("cmp_eq a=b=%s len %u cpu %d", where, l, cpu),
					      op_cmp_eq(bad, bad, l), cpu, 0);
			} else {
				EXPECT_BAD_OP(sfmt("cmp_eq a=%s len %u cpu %d", where, l, cpu),
					      op_cmp_eq(bad, good, l), cpu, want);
				EXPECT_BAD_OP(sfmt("cmp_ne b=%s len %u cpu %d", where, l, cpu),
					      op_cmp_ne(good, bad, l), cpu, want);
				EXPECT_BAD_OP(sfmt("memcpy src=%s len %u cpu %d", where, l, cpu),
					      op_memcpy(good, bad, l), cpu, want);
				EXPECT_BAD_OP(sfmt("memcpy_release src=%s len %u cpu %d", where,
						   l, cpu),
					      op_memcpy_rel(good, bad, l), cpu, want);
			}
			EXPECT_BAD_OP(sfmt("memcpy dst=%s len %u cpu %d", where, l, cpu),
				      op_memcpy(bad, good, l), cpu, want);
			EXPECT_BAD_OP(sfmt("memcpy_release dst=%s len %u cpu %d", where, l, cpu),
				      op_memcpy_rel(bad, good, l), cpu, want);
			if (l <= 8) {
				EXPECT_BAD_OP(sfmt("add p=%s len %u cpu %d", where, l, cpu),
					      op_add(bad, 1, l), cpu, want);
				EXPECT_BAD_OP(sfmt("add_release p=%s len %u cpu %d", where, l,
						   cpu),
					      op_add_rel(bad, -1, l), cpu, want);
			}
		}
	}
	unmap(good, 2);
}

static int t_efault_unmapped_operand(void)
{
	char *holed = map_then_hole(1);

	fault_all_operands("0x1000", LOW_UNMAPPED, false, -EFAULT);
	fault_all_operands("NULL", NULL, false, -EFAULT);
	fault_all_operands("munmapped page", holed + page_sz, false, -EFAULT);
	/* straddling: first bytes mapped, the rest in the hole */
	EXPECT_BAD_OP("add 8 straddling into a hole",
		      op_add(holed + page_sz - 4, 1, 8), cpu_a, -EFAULT);
	EXPECT_BAD_OP("memcpy 4096 dst straddling into a hole",
		      op_memcpy(holed + 8, holed, 4096), cpu_a, -EFAULT);
	EXPECT_BAD_OP("cmp 4096 straddling into a hole",
		      op_cmp_eq(holed, holed + 1, 4096), cpu_a, -EFAULT);
	CHECK(first_not(holed, page_sz, 0) < 0, "straddling fault wrote the mapped part");
	unmap(holed, 1);
	return case_result();
}

static int t_efault_prot_none(void)
{
	char *none = map_anon(1, PROT_NONE);
	char *rw_none = map_anon(2, PROT_READ | PROT_WRITE);

	fault_all_operands("PROT_NONE", none, false, -EFAULT);
	/* a page that had data, then lost all access */
	memset(rw_none + page_sz, 0x5a, page_sz);
	mprotect(rw_none + page_sz, page_sz, PROT_NONE);
	fault_all_operands("mprotect(PROT_NONE)", rw_none + page_sz, false, -EFAULT);
	EXPECT_BAD_OP("memcpy dst straddling into PROT_NONE",
		      op_memcpy(rw_none + page_sz - 8, rw_none, 16), cpu_a, -EFAULT);
	CHECK(first_not(rw_none, page_sz, 0) < 0, "straddling fault wrote the mapped part");
	mprotect(rw_none + page_sz, page_sz, PROT_READ);
	CHECK(first_not(rw_none + page_sz, page_sz, 0x5a) < 0, "PROT_NONE page changed");
	unmap(none, 1);
	unmap(rw_none, 2);
	return case_result();
}

static int t_efault_write_read_only(void)
{
	char *ro = map_ro_page(0x42);
	char *m = map_anon(2, PROT_READ | PROT_WRITE);
	int t;

	fault_all_operands("read-only", ro, true, -EFAULT);
	for (t = 0; t < n_targets; t++) {
		struct cpu_op rd[2] = { op_cmp_eq(ro, ro + 8, 8), op_memcpy(m, ro, 4096) };

		EXPECT("reading a read-only page (cmp, memcpy src)",
		       cpu_opv(rd, 2, tcpu(t), 0), 0);
		CHECK(first_not(m, page_sz, 0x42) < 0, "memcpy from read-only: wrong data");
	}
	/* written once, then made read-only: the page is present, still no write */
	memset(m + page_sz, 0x24, page_sz);
	mprotect(m + page_sz, page_sz, PROT_READ);
	EXPECT_BAD_OP("add to a present, now read-only page",
		      op_add(m + page_sz, 1, 8), cpu_a, -EFAULT);
	EXPECT_BAD_OP("memcpy straddling from writable into read-only",
		      op_memcpy(m + page_sz - 8, ro, 16), cpu_a, -EFAULT);
	CHECK(first_not(m + page_sz, page_sz, 0x24) < 0, "read-only page changed");
	CHECK(first_not(ro, page_sz, 0x42) < 0, "read-only page changed");
	unmap(ro, 1);
	unmap(m, 2);
	return case_result();
}

/* The [vvar] mapping of this process, or NULL. */
static void *find_vvar(void)
{
	char line[512];
	void *vvar = NULL;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (strstr(line, "[vvar]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) {
			vvar = (void *)lo;
			break;
		}
	}
	if (f)
		fclose(f);
	return vvar;
}

/*
 * A VM_IO | VM_PFNMAP mapping: refused, EFAULT/EAGAIN. /dev/mem (root: the
 * first megabyte, which STRICT_DEVMEM allows) is one everywhere; the vDSO
 * data page was one up to 6.14.
 */
static int t_efault_io_mapping(void)
{
	int fd = open("/dev/mem", O_RDONLY);
	void *io = fd < 0 ? MAP_FAILED : mmap(NULL, page_sz, PROT_READ, MAP_SHARED, fd, 0);
	const char *what = "/dev/mem";
	uint64_t x = 0;
	struct cpu_op op;

	if (fd >= 0)
		close(fd);
	if (io == MAP_FAILED) {
		if (kernel_at_least(6, 15))
			return missing("/dev/mem: %s (and [vvar] is ordinary memory from 6.15)",
				       strerror(errno));
		io = find_vvar();
		what = "[vvar]";
		if (!io)
			return skip("no /dev/mem and no [vvar] mapping");
	}
	EXPECT_BAD_OP(sfmt("cmp_eq a=%s (VM_IO|VM_PFNMAP)", what), op_cmp_eq(io, &x, 8),
		      cpu_a, -EFAULT);
	EXPECT_BAD_OP(sfmt("memcpy src=%s", what), op_memcpy(&x, io, 8), cpu_a, -EFAULT);
	op = op_memcpy(&x, io, 8);
	op.u.memcpy_op.expect_fault_src = 1;
	EXPECT_BAD_OP(sfmt("memcpy src=%s, expect_fault_src", what), op, cpu_a, -EAGAIN);
	CHECK(x == 0, "%s data was copied", what);
	return case_result();
}

/*
 * From 6.15 the vDSO data is ordinary memory behind struct pages, mapped
 * read-only: GUP lets a vector read it as the caller can, never write it.
 */
static int t_vvar_read_only(void)
{
	char *vvar = find_vvar();
	uint64_t copy = 0, orig;
	int t;

	if (!kernel_at_least(6, 15))
		return skip("[vvar] is a PFN mapping before 6.15 (efault_io_mapping)");
	if (!vvar)
		return skip("no [vvar] mapping in this process");
	for (t = 0; t < n_targets; t++) {
		struct cpu_op v[1];

		/* a word that does not change (the vDSO's data changes under us) */
		memcpy(&orig, vvar, 8);
		v[0] = op_memcpy(&copy, vvar, 8);
		EXPECT("memcpy from [vvar]", cpu_opv(v, 1, tcpu(t), 0), 0);
		v[0] = op_add(vvar, 1, 8);
		EXPECT("add on [vvar]", cpu_opv(v, 1, tcpu(t), 0), -EFAULT);
		v[0] = op_memcpy(vvar + 64, &copy, 8);
		EXPECT("memcpy into [vvar]", cpu_opv(v, 1, tcpu(t), 0), -EFAULT);
	}
	return case_result();
}

static int t_efault_vector_unreadable(void)
{
	char *pg = map_anon(2, PROT_READ | PROT_WRITE);
	struct cpu_op *v = (struct cpu_op *)(pg + page_sz) - 1;	/* last op slot of page 0 */
	struct cpu_op *ro_v;

	EXPECT("vector at 0x1000, 1 op", cpu_opv(LOW_UNMAPPED, 1, cpu_a, 0), -EFAULT);
	EXPECT("vector NULL, 1 op", cpu_opv(NULL, 1, cpu_a, 0), -EFAULT);
	EXPECT("vector NULL, 4 ops", cpu_opv(NULL, 4, cpu_a, 0), -EFAULT);
	EXPECT("vector in kernel space", cpu_opv((void *)(uintptr_t)kernel_addrs[1], 1, cpu_a, 0),
	       -EFAULT);

	/* op 0 readable at the end of a page, op 1 in a PROT_NONE page */
	v[0] = op_add(&canary, 1, 8);
	mprotect(pg + page_sz, page_sz, PROT_NONE);
	canary = 1000;
	EXPECT("vector whose 2nd op is unreadable", cpu_opv(v, 2, cpu_a, 0), -EFAULT);
	CHECK(canary == 1000, "the readable first op ran");
	EXPECT("same vector, cnt 1 (only the readable op)", cpu_opv(v, 1, cpu_a, 0), 0);
	CHECK(canary == 1001, "cnt 1 vector did not run");

	/* The vector is only read: a read-only vector is fine. */
	ro_v = (struct cpu_op *)pg;
	ro_v[0] = op_add(&canary, 2, 8);
	mprotect(pg, page_sz, PROT_READ);
	EXPECT("vector in a read-only page", cpu_opv(ro_v, 1, cpu_a, 0), 0);
	CHECK(canary == 1003, "read-only vector did not run");
	unmap(pg, 2);
	return case_result();
}

static int t_efault_null_args(void)
{
	char *pg = map_anon(2, PROT_READ | PROT_WRITE);
	struct cpu_opv_args *edge = (struct cpu_opv_args *)(pg + page_sz - 12);
	int fd = cpu_opv_fd();

	EXPECT("ioctl args NULL", ioctl(fd, CPU_OPV_IOC_EXEC, NULL), -EFAULT);
	EXPECT("ioctl args 0x1000", ioctl(fd, CPU_OPV_IOC_EXEC, LOW_UNMAPPED), -EFAULT);
	EXPECT("ioctl args in kernel space",
	       ioctl(fd, CPU_OPV_IOC_EXEC, (void *)(uintptr_t)kernel_addrs[1]), -EFAULT);
	mprotect(pg + page_sz, page_sz, PROT_NONE);
	EXPECT("ioctl args straddling into PROT_NONE", ioctl(fd, CPU_OPV_IOC_EXEC, edge),
	       -EFAULT);
	unmap(pg, 2);
	return case_result();
}

static int t_enotty_unknown_cmd(void)
{
	struct {
		unsigned long cmd;
		const char *name;
	} bad[] = {
		{ _IO(CPU_OPV_IOC_MAGIC, 0x01), "_IO(0xC9, 1)" },
		{ _IOR(CPU_OPV_IOC_MAGIC, 0x01, struct cpu_opv_args), "_IOR(0xC9, 1)" },
		{ _IOWR(CPU_OPV_IOC_MAGIC, 0x01, struct cpu_opv_args), "_IOWR(0xC9, 1)" },
		{ _IOW(CPU_OPV_IOC_MAGIC, 0x02, struct cpu_opv_args), "_IOW(0xC9, 2)" },
		{ _IOW(CPU_OPV_IOC_MAGIC, 0x00, struct cpu_opv_args), "_IOW(0xC9, 0)" },
		{ _IOW(CPU_OPV_IOC_MAGIC, 0x01, char[16]), "_IOW(0xC9, 1, 16 bytes)" },
		{ _IOW(CPU_OPV_IOC_MAGIC, 0x01, char[32]), "_IOW(0xC9, 1, 32 bytes)" },
		{ _IOW('T', 0x01, struct cpu_opv_args), "_IOW('T', 1)" },
		{ 0, "0" },
		{ 0x5401, "TCGETS" },
	};
	struct cpu_opv_args args = { .cpuopv = 0, .cpuopcnt = 0, .cpu = cpu_a };
	size_t i;

	for (i = 0; i < CPU_OPV_ARRAY_SIZE(bad); i++)
		EXPECT(sfmt("ioctl cmd %s (0x%lx)", bad[i].name, bad[i].cmd),
		       ioctl(cpu_opv_fd(), bad[i].cmd, &args), -ENOTTY);
	EXPECT("CPU_OPV_IOC_EXEC (control)", ioctl(cpu_opv_fd(), CPU_OPV_IOC_EXEC, &args), 0);
	return case_result();
}

/*
 * A vector whose earlier ops are all valid writes and whose later op faults:
 * every write must be absent afterwards, whatever the fault and its index.
 */
static int t_efault_changes_nothing(void)
{
	char *m = map_anon(2, PROT_READ | PROT_WRITE);
	char *holed = map_then_hole(1);
	char *ro = map_ro_page(0x42);
	char *none = map_anon(1, PROT_NONE);
	char *snap = malloc(2 * page_sz);
	uint64_t *c = (uint64_t *)m;
	uint32_t *e = (uint32_t *)(m + 8);
	char *d = m + 64, *s = m + page_sz;
	struct cpu_op bad[6];
	const char *bad_name[6] = {
		"add on a hole", "memcpy to read-only", "cmp on PROT_NONE",
		"memcpy dst straddling into a hole", "add straddling into a hole",
		"memcpy_release src 0x1000",
	};
	size_t b;
	int pos, t;

	bad[0] = op_add(holed + page_sz, 1, 8);
	bad[1] = op_memcpy(ro, s, 64);
	bad[2] = op_cmp_eq(none, s, 8);
	bad[3] = op_memcpy(holed + page_sz - 32, s, 64);
	bad[4] = op_add(holed + page_sz - 4, 1, 8);
	bad[5] = op_memcpy_rel(d, LOW_UNMAPPED, 8);
	fill_pattern(s, page_sz, 3);
	for (t = 0; t < n_targets; t++)
		for (b = 0; b < CPU_OPV_ARRAY_SIZE(bad); b++)
			for (pos = 1; pos < 4; pos++) {
				struct cpu_op v[4] = {
					op_add(c, 1, 8), op_memcpy(d, s, 64),
					op_add_rel(e, 7, 4), op_memcpy(holed, s, 32),
				};

				v[pos] = bad[b];
				*c = 5;
				*e = 9;
				memset(d, 0, 64);
				memset(holed, 0, page_sz);
				memcpy(snap, m, page_sz);
				EXPECT(sfmt("%s at index %d, cpu %d", bad_name[b], pos, tcpu(t)),
				       cpu_opv(v, 4, tcpu(t), 0), -EFAULT);
				CHECK(!memcmp(snap, m, page_sz) && first_not(holed, page_sz, 0) < 0,
				      "%s at index %d: earlier ops changed memory (c %" PRIu64
				      " e %u)", bad_name[b], pos, *c, *e);
			}
	CHECK(first_not(ro, page_sz, 0x42) < 0, "read-only page changed");
	free(snap);
	unmap(m, 2);
	unmap(holed, 1);
	unmap(ro, 1);
	unmap(none, 1);
	return case_result();
}

static int t_eagain_expect_fault(void)
{
	char *holed = map_then_hole(1);
	char *hole = holed + page_sz;
	char *ro = map_ro_page(0x42);
	char *none = map_anon(1, PROT_NONE);
	uint64_t x = 0, y = 0;
	struct cpu_op op;
	int t, r, e;

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);

		op = op_memcpy(&x, hole, 8);
		op.u.memcpy_op.expect_fault_src = 1;
		EXPECT_BAD_OP("memcpy src unmapped, expect_fault_src", op, cpu, -EAGAIN);
		op.u.memcpy_op.expect_fault_src = 0;
		op.u.memcpy_op.expect_fault_dst = 1;
		EXPECT_BAD_OP("memcpy src unmapped, only expect_fault_dst", op, cpu, -EFAULT);

		op = op_memcpy(hole, &x, 8);
		op.u.memcpy_op.expect_fault_dst = 1;
		EXPECT_BAD_OP("memcpy dst unmapped, expect_fault_dst", op, cpu, -EAGAIN);
		op = op_memcpy_rel(ro, &x, 8);
		op.u.memcpy_op.expect_fault_dst = 1;
		EXPECT_BAD_OP("memcpy_release dst read-only, expect_fault_dst", op, cpu, -EAGAIN);
		op = op_memcpy_rel(&x, none, 8);
		op.u.memcpy_op.expect_fault_src = 1;
		EXPECT_BAD_OP("memcpy_release src PROT_NONE, expect_fault_src", op, cpu, -EAGAIN);

		op = op_cmp_eq(none, &x, 8);
		op.u.compare_op.expect_fault_a = 1;
		EXPECT_BAD_OP("cmp_eq a PROT_NONE, expect_fault_a", op, cpu, -EAGAIN);
		op = op_cmp_ne(&x, hole, 8);
		op.u.compare_op.expect_fault_b = 1;
		EXPECT_BAD_OP("cmp_ne b unmapped, expect_fault_b", op, cpu, -EAGAIN);
		op.u.compare_op.expect_fault_b = 0;
		op.u.compare_op.expect_fault_a = 1;
		EXPECT_BAD_OP("cmp_ne b unmapped, only expect_fault_a", op, cpu, -EFAULT);

		op = op_add(hole, 1, 8);
		op.u.arithmetic_op.expect_fault_p = 1;
		EXPECT_BAD_OP("add p unmapped, expect_fault_p", op, cpu, -EAGAIN);
		op = op_add_rel(ro, 1, 4);
		op.u.arithmetic_op.expect_fault_p = 1;
		EXPECT_BAD_OP("add_release p read-only, expect_fault_p", op, cpu, -EAGAIN);
		op = op_add(hole - 4, 1, 8);
		op.u.arithmetic_op.expect_fault_p = 1;
		EXPECT_BAD_OP("add straddling into a hole, expect_fault_p", op, cpu, -EAGAIN);

		/* expect_fault on an operand that is fine: the op simply runs */
		op = op_memcpy(&x, &y, 8);
		op.u.memcpy_op.expect_fault_dst = op.u.memcpy_op.expect_fault_src = 1;
		y = 77;
		x = 0;
		canary = 0;
		{
			struct cpu_op v[2] = { op_add(&canary, 1, 8), op };

			EXPECT("expect_fault on valid operands", cpu_opv(v, 2, cpu, 0), 0);
			CHECK(x == 77 && canary == 1, "valid vector with expect_fault did not run");
		}

		/* The list-pop shape: head points to a node whose page was freed. */
		{
			char *node_pg = map_anon(1, PROT_READ | PROT_WRITE);
			uint64_t head = (uintptr_t)node_pg, loaded;
			struct cpu_op pop[2];

			munmap(node_pg, page_sz);
			loaded = head;
			pop[0] = op_cmp_eq(&head, &loaded, 8);
			pop[1] = op_memcpy(&head, node_pg, 8);	/* head = head->next */
			pop[1].u.memcpy_op.expect_fault_src = 1;
			EXPECT("pop of a freed node, expect_fault_src", cpu_opv(pop, 2, cpu, 0),
			       -EAGAIN);
			CHECK(head == loaded, "EAGAIN pop changed the head");
		}

		/* Two faults, one expected and one not: either answer is fair. */
		{
			struct cpu_op v[3] = {
				op_memcpy(&x, hole, 8), op_add(&y, 1, 8), op_add(hole, 1, 8),
			};

			v[0].u.memcpy_op.expect_fault_src = 1;
			y = 0;
			r = cpu_opv(v, 3, cpu, 0);
			e = errno;
			CHECK(r == -1 && (e == EAGAIN || e == EFAULT),
			      "expected + unexpected fault: got %d %s", r, errname(e));
			CHECK(y == 0, "mixed-fault vector ran an op");
		}
	}
	CHECK(first_not(ro, page_sz, 0x42) < 0, "read-only page changed");
	unmap(holed, 1);
	unmap(ro, 1);
	unmap(none, 1);
	return case_result();
}

/* ------------------------------------------------------------------ */
/* Where the vector runs.                                              */
/* ------------------------------------------------------------------ */

static bool same_mask(const cpu_set_t *a, const cpu_set_t *b)
{
	return CPU_EQUAL(a, b);
}

/* On each allowed CPU, pinned there: the local path writes memory, no migration. */
static int t_local_cpu_runs(void)
{
	uint64_t c[CPU_SETSIZE / 64] = { 0 };
	cpu_set_t before, after;
	int i, n;

	for (i = 0; i < n_allowed; i++) {
		int cpu = allowed[i];
		struct cpu_op v[2] = { op_add(&c[i % 16], 3, 8), op_add_rel(&c[i % 16], -1, 8) };

		pin_self(cpu);
		sched_getaffinity(0, sizeof(before), &before);
		c[i % 16] = 0;
		for (n = 0; n < 10; n++)
			EXPECT(sfmt("local vector on cpu %d", cpu), cpu_opv(v, 2, cpu, 0), 0);
		CHECK(c[i % 16] == 20, "cpu %d: counter %" PRIu64 ", want 20", cpu, c[i % 16]);
		CHECK(sched_getcpu() == cpu, "after local calls on %d we run on %d", cpu,
		      sched_getcpu());
		sched_getaffinity(0, sizeof(after), &after);
		CHECK(same_mask(&before, &after), "a local call changed the caller's mask");
	}
	/* Unpinned: call on whatever CPU we are on now (may migrate: still right). */
	unpin_self();
	for (n = 0; n < 50; n++) {
		uint64_t x = 0;
		struct cpu_op v[1] = { op_add(&x, 1, 8) };

		EXPECT("unpinned call on sched_getcpu()", cpu_opv(v, 1, sched_getcpu(), 0), 0);
		CHECK(x == 1, "unpinned local call did not write");
	}
	return case_result();
}

/*
 * Every allowed CPU as a target while we run elsewhere: memory written,
 * the caller's mask untouched. We cannot pin ourselves away from the
 * target (it would be outside our mask), so each call notes where we ran
 * before and after it and only calls made from another CPU count as remote.
 */
static int t_remote_cpu_runs(void)
{
	cpu_set_t before, after;
	long remote = 0, n;
	int j;

	if (cpu_b < 0)
		return skip("needs 2 allowed CPUs");
	sched_getaffinity(0, sizeof(before), &before);
	for (n = 0; n < scaled(40); n++)
		for (j = 0; j < n_allowed; j++) {
			int cpu = allowed[j], c0, c1;
			uint64_t x = 0, one = 1;
			char d[64] = { 0 }, s[64];
			struct cpu_op v[4] = {
				op_add(&x, 1, 8), op_cmp_eq(&x, &one, 8),
				op_memcpy(d, s, 64), op_add_rel(&x, 1, 8),
			};

			memset(s, 0x3c + j, sizeof(s));
			c0 = sched_getcpu();
			EXPECT(sfmt("from cpu %d to cpu %d", c0, cpu), cpu_opv(v, 4, cpu, 0), 0);
			c1 = sched_getcpu();
			CHECK(x == 2 && !memcmp(d, s, 64), "%d->%d: x %" PRIu64 ", memcpy %s",
			      c0, cpu, x, memcmp(d, s, 64) ? "missing" : "ok");
			remote += c0 != cpu && c1 != cpu;
		}
	sched_getaffinity(0, sizeof(after), &after);
	CHECK(same_mask(&before, &after), "a remote call changed the caller's mask");
	CHECK(remote > 0, "no call was ever made from another CPU than its target");
	diag("%ld of %ld calls were made from another CPU than their target", remote,
	     n * n_allowed);
	return case_result();
}

/* CAL (function-call interrupt) count of each CPU, from /proc/interrupts. */
static bool read_cal_counts(unsigned long long *cnt, int max)
{
	char line[4096];
	int cols[CPU_SETSIZE], ncols = 0, i;
	bool found = false;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return false;
	if (fgets(line, sizeof(line), f)) {
		char *p = line;

		while ((p = strstr(p, "CPU")) && ncols < CPU_SETSIZE) {
			cols[ncols++] = atoi(p + 3);
			p += 3;
		}
	}
	for (i = 0; i < max; i++)
		cnt[i] = 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		while (*p == ' ')
			p++;
		if (strncmp(p, "CAL:", 4))
			continue;
		p += 4;
		for (i = 0; i < ncols; i++) {
			unsigned long long v = strtoull(p, &p, 10);

			if (cols[i] < max)
				cnt[cols[i]] = v;
		}
		found = true;
	}
	fclose(f);
	return found;
}

/*
 * A remote vector reaches its CPU by an interrupt: with that CPU busy in
 * user mode, its function-call interrupt count grows by one per call.
 */
static int t_remote_cpu_gets_ipi(void)
{
	static unsigned long long c0[CPU_SETSIZE], c1[CPU_SETSIZE];
	long n = scaled(200), i, remote = 0;
	struct spinner sp;
	uint64_t x = 0;
	struct cpu_op v[1] = { op_add(&x, 1, 8) };

	if (cpu_b < 0)
		return skip("needs 2 allowed CPUs");
	if (!read_cal_counts(c0, CPU_SETSIZE))
		return skip("no CAL row in /proc/interrupts");
	spinner_start(&sp, cpu_b);
	read_cal_counts(c0, CPU_SETSIZE);
	for (i = 0; i < n; i++) {
		int before = sched_getcpu();

		cpu_opv(v, 1, cpu_b, 0);
		remote += before != cpu_b && sched_getcpu() != cpu_b;
	}
	read_cal_counts(c1, CPU_SETSIZE);
	spinner_stop(&sp);
	CHECK(x == (uint64_t)n, "remote adds: %" PRIu64 " of %ld", x, n);
	diag("%ld calls to cpu %d (%ld from another CPU): its CAL count grew by %llu", n,
	     cpu_b, remote, c1[cpu_b] - c0[cpu_b]);
	CHECK(c1[cpu_b] - c0[cpu_b] >= (unsigned long long)remote * 9 / 10,
	      "cpu %d got %llu function-call interrupts for %ld remote calls",
	      cpu_b, c1[cpu_b] - c0[cpu_b], remote);
	return case_result();
}

#if defined(__x86_64__)
struct plain_adder {
	struct spinner sp;
	uint64_t *counter;
	uint64_t done;
};

/*
 * On the target CPU: increment with a single non-locked instruction. An
 * interrupt (the IPI running the vector) lands between instructions, so a
 * vector that really runs on this CPU never loses an update against it; one
 * that ran elsewhere would race with the non-atomic read-modify-write.
 */
static void *plain_adder_fn(void *arg)
{
	struct plain_adder *pa = arg;
	uint64_t n = 0;

	pin_self(pa->sp.cpu);
	atomic_store(&pa->sp.running, true);
	while (!atomic_load_explicit(&pa->sp.stop, memory_order_relaxed)) {
		asm volatile("addq $1, %0" : "+m" (*pa->counter));
		n++;
	}
	pa->done = n;
	return NULL;
}
#endif

static int t_remote_atomic_vs_target_cpu(void)
{
#if defined(__x86_64__)
	static uint64_t counter __attribute__((aligned(64)));
	struct plain_adder pa = { .counter = &counter };
	long n = scaled(3000), i, err = 0;
	struct cpu_op v[1] = { op_add(&counter, 1, 8) };

	if (cpu_b < 0)
		return skip("needs 2 allowed CPUs");
	counter = 0;
	pa.sp.cpu = cpu_b;
	pthread_create(&pa.sp.th, NULL, plain_adder_fn, &pa);
	while (!atomic_load(&pa.sp.running))
		sched_yield();
	for (i = 0; i < n; i++)
		if (cpu_opv(v, 1, cpu_b, 0))
			err++;
	atomic_store(&pa.sp.stop, true);
	pthread_join(pa.sp.th, NULL);
	CHECK(!err, "%ld of %ld remote adds failed", err, n);
	diag("target thread did %" PRIu64 " plain adds, we did %ld cpu_opv adds", pa.done, n);
	CHECK(counter == pa.done + (uint64_t)n,
	      "counter %" PRIu64 " != %" PRIu64 " + %ld: the vector did not run "
	      "atomically on cpu %d", counter, pa.done, n, cpu_b);
	return case_result();
#else
	return skip("needs x86-64 for a single-instruction non-atomic add");
#endif
}

/* ----- CPU hotplug ----- */

static char hotplug_path[96];

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Parent-side cleanup: never leave the CPU offline, whatever the child did. */
static void offline_cleanup(void)
{
	if (hotplug_path[0] && !cpu_online(cpu_b))
		write_str(hotplug_path, "1");
}

struct offline_adder {
	pthread_t th;
	uint64_t *counter;
	long n, err;
	int cpu;
};

static void *offline_adder_fn(void *arg)
{
	struct offline_adder *oa = arg;
	struct cpu_op v[1] = { op_add(oa->counter, 1, 8) };
	long i;

	for (i = 0; i < oa->n; i++)
		if (cpu_opv(v, 1, oa->cpu, 0))
			oa->err++;
	return NULL;
}

static void offline_vectors(int cpu)
{
	char *m = map_anon(3, PROT_READ | PROT_WRITE);
	char *holed = map_then_hole(1);
	uint64_t *x = (uint64_t *)m, one = 1;
	struct offline_adder oa[2];
	uint64_t counter = 0;
	long per = scaled(200);
	struct cpu_op v4[4] = {
		op_add(x, 1, 8), op_cmp_eq(x, &one, 8), op_memcpy_rel(m + page_sz, m + 2 * page_sz,
								     4096),
		op_add_rel(x + 1, 5, 8),
	};
	/* x is 1 here: the add makes it 2, so comparing with 1 stops the vector */
	struct cpu_op stop[3] = { op_add(x, 1, 8), op_cmp_eq(x, &one, 8), op_add(x, 100, 8) };
	struct cpu_op bad[2] = { op_add(x, 1, 8), op_add(holed + page_sz, 1, 8) };
	int i;

	fill_pattern(m + 2 * page_sz, page_sz, 11);
	EXPECT(sfmt("4-op vector for offline cpu %d", cpu), cpu_opv(v4, 4, cpu, 0), 0);
	CHECK(*x == 1 && x[1] == 5 && !memcmp(m + page_sz, m + 2 * page_sz, 4096),
	      "offline vector did not run fully");
	EXPECT("offline: failing compare at index 1", cpu_opv(stop, 3, cpu, 0), 2);
	CHECK(*x == 2, "offline: x %" PRIu64 " want 2 (ops after the failed compare ran?)",
	      *x);
	EXPECT("offline: EFAULT vector", cpu_opv(bad, 2, cpu, 0), -EFAULT);
	CHECK(*x == 2, "offline: EFAULT vector changed memory");
	bad[1].u.arithmetic_op.expect_fault_p = 1;
	EXPECT("offline: EAGAIN vector", cpu_opv(bad, 2, cpu, 0), -EAGAIN);
	EXPECT("offline: 0 ops", cpu_opv(NULL, 0, cpu, 0), 0);

	/* Two callers at once: serialized by the module's offline-path mutex. */
	for (i = 0; i < 2; i++) {
		oa[i] = (struct offline_adder){ .counter = &counter, .n = per, .cpu = cpu };
		pthread_create(&oa[i].th, NULL, offline_adder_fn, &oa[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(oa[i].th, NULL);
	CHECK(!oa[0].err && !oa[1].err, "offline adds failed: %ld + %ld", oa[0].err, oa[1].err);
	CHECK(counter == 2 * (uint64_t)per, "offline adds from 2 threads: %" PRIu64 " of %ld",
	      counter, 2 * per);
	unmap(m, 3);
	unmap(holed, 1);
}

static int t_offline_cpu(void)
{
	uint64_t x = 0;
	struct cpu_op v[1] = { op_add(&x, 1, 8) };

	if (cpu_b < 0)
		return skip("needs 2 allowed CPUs");
	if (geteuid())
		return skip("CPU hotplug needs root");
	snprintf(hotplug_path, sizeof(hotplug_path),
		 "/sys/devices/system/cpu/cpu%d/online", cpu_b);
	if (access(hotplug_path, W_OK))
		return skip("cpu %d is not hotpluggable (%s)", cpu_b, strerror(errno));
	unpin_self();	/* our mask keeps cpu_b while it is offline */
	if (write_str(hotplug_path, "0"))
		return skip("cannot take cpu %d offline: %s", cpu_b, strerror(errno));
	CHECK(!cpu_online(cpu_b), "cpu %d still online", cpu_b);
	diag("cpu %d offline", cpu_b);

	offline_vectors(cpu_b);

	/* A thread whose mask lacks the offline CPU is still refused. */
	pin_self(cpu_a);
	EXPECT("offline cpu outside the caller's mask", cpu_opv(v, 1, cpu_b, 0), -EINVAL);
	unpin_self();

	CHECK(!write_str(hotplug_path, "1"), "cannot bring cpu %d back: %s", cpu_b,
	      strerror(errno));
	CHECK(cpu_online(cpu_b), "cpu %d did not come back", cpu_b);
	/*
	 * A mask set while cpu_b was offline lost it (the cpuset only offers
	 * online CPUs): ask for it again now that it is back.
	 */
	unpin_self();
	x = 0;
	EXPECT("remote call after the cpu came back", cpu_opv(v, 1, cpu_b, 0), 0);
	CHECK(x == 1, "remote add after online did not run");
	return case_result();
}

/* ------------------------------------------------------------------ */
/* COW, zero page, read-only and file-backed mappings.                 */
/* ------------------------------------------------------------------ */

/* Wait for a child that reports its verdict as its exit status. */
static int child_verdict(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The child writes through cpu_opv into a page it shares COW with us. */
static int t_fork_cow_child_write(void)
{
	char *m = map_anon(2, PROT_READ | PROT_WRITE);
	int t;

	for (t = 0; t < n_targets; t++) {
		pid_t pid;
		int v;

		memset(m, 0x11, 2 * page_sz);
		pid = fork();
		if (pid == 0) {
			char src[256];
			struct cpu_op w[2] = {
				op_memcpy(m + page_sz - 128, src, 256),	/* both pages */
				op_add(m + 8, 1, 8),
			};

			cpu_opv_close();	/* the child opens its own fd */
			memset(src, 0x22, sizeof(src));
			if (cpu_opv(w, 2, tcpu(t), 0))
				_exit(2);
			_exit(m[page_sz] == 0x22 && m[page_sz - 128] == 0x22 ? 0 : 3);
		}
		v = child_verdict(pid);
		CHECK(v == 0, "child cpu_opv write, cpu %d: child verdict %d (2: call failed, "
		      "3: child does not see its own write)", tcpu(t), v);
		CHECK(first_not(m, 2 * page_sz, 0x11) < 0,
		      "child's cpu_opv write into a COW page is visible in the parent "
		      "(at %ld)", first_not(m, 2 * page_sz, 0x11));
	}
	unmap(m, 2);
	return case_result();
}

/* We write through cpu_opv after fork; the child must keep the old data. */
static int t_fork_cow_parent_write(void)
{
	char *m = map_anon(1, PROT_READ | PROT_WRITE);
	int t;

	for (t = 0; t < n_targets; t++) {
		int go[2], v;
		char c;
		pid_t pid;
		uint64_t nine = 0x0909090909090909ULL;
		struct cpu_op w[2] = { op_memcpy(m, &nine, 8), op_add(m + 64, 1, 8) };

		memset(m, 0x33, page_sz);
		if (pipe(go))
			return skip("pipe: %s", strerror(errno));
		pid = fork();
		if (pid == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(2);
			_exit(first_not(m, page_sz, 0x33) < 0 ? 0 : 3);
		}
		close(go[0]);
		EXPECT(sfmt("parent write after fork, cpu %d", tcpu(t)),
		       cpu_opv(w, 2, tcpu(t), 0), 0);
		CHECK(m[0] == 0x09 && m[64] == 0x34, "parent does not see its own write");
		if (write(go[1], "x", 1) != 1)
			FAIL("pipe write");
		close(go[1]);
		v = child_verdict(pid);
		CHECK(v == 0, "child sees the parent's post-fork cpu_opv write (verdict %d)", v);
	}
	unmap(m, 1);
	return case_result();
}

/* A never-written anonymous page maps the shared zero page: writes must COW it. */
static int t_zero_page_cow(void)
{
	volatile char *a, *b;
	uint64_t zero = 0;
	int t;

	for (t = 0; t < n_targets; t++) {
		struct cpu_op rd[1], wr[1];

		a = map_anon(1, PROT_READ | PROT_WRITE);
		CHECK(a[100] == 0, "fresh page not zero");	/* read fault: zero page */
		rd[0] = op_cmp_eq((void *)a, &zero, 8);
		EXPECT("cmp on the zero page", cpu_opv(rd, 1, tcpu(t), 0), 0);
		wr[0] = op_add((void *)a, 0x77, 8);
		EXPECT("add on a zero-page mapping", cpu_opv(wr, 1, tcpu(t), 0), 0);
		CHECK(a[0] == 0x77, "add on the zero page: got 0x%x", a[0]);
		b = map_anon(1, PROT_READ | PROT_WRITE);
		CHECK(b[0] == 0, "the shared zero page was written (fresh page reads 0x%x)", b[0]);
		unmap((void *)b, 1);
		/* never touched at all: the module has to fault it in */
		b = map_anon(1, PROT_READ | PROT_WRITE);
		wr[0] = op_add((void *)(b + 8), 5, 8);
		EXPECT("add on a never-touched page", cpu_opv(wr, 1, tcpu(t), 0), 0);
		CHECK(b[8] == 5, "add on a never-touched page: got %d", b[8]);
		unmap((void *)b, 1);
		unmap((void *)a, 1);
	}
	return case_result();
}

static int t_ro_anon_mapping(void)
{
	char *ro = map_anon(1, PROT_READ);	/* never written: zero page behind it */
	uint64_t x = 5, zero = 0;
	struct cpu_op op;
	int t;

	for (t = 0; t < n_targets; t++) {
		struct cpu_op rd[2] = { op_cmp_eq(ro, &zero, 8), op_memcpy(&x, ro, 8) };

		EXPECT_BAD_OP("memcpy into PROT_READ anon", op_memcpy(ro, &x, 8), tcpu(t),
			      -EFAULT);
		EXPECT_BAD_OP("add on PROT_READ anon", op_add(ro, 1, 8), tcpu(t), -EFAULT);
		op = op_add_rel(ro + 4092, 1, 8);
		op.u.arithmetic_op.expect_fault_p = 1;
		EXPECT_BAD_OP("add_release on PROT_READ anon, expect_fault", op, tcpu(t),
			      -EAGAIN);
		x = 5;
		EXPECT("reading PROT_READ anon", cpu_opv(rd, 2, tcpu(t), 0), 0);
		CHECK(x == 0, "memcpy from PROT_READ anon: x %" PRIu64, x);
	}
	CHECK(first_not(ro, page_sz, 0) < 0, "PROT_READ anon page changed");
	unmap(ro, 1);
	return case_result();
}

static char tmp_path[256];

static void tmpfile_cleanup(void)
{
	if (tmp_path[0])
		unlink(tmp_path);
}

/* A 2-page file of 0x5e bytes; returns an fd opened with 'flags'. */
static int make_file(int flags)
{
	const char *dir = getenv("TMPDIR");
	char *buf = malloc(2 * page_sz);
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "%s/cpu_opv_test.%d", dir && *dir ? dir : "/tmp",
		 (int)getpid());
	fd = open(tmp_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	memset(buf, 0x5e, 2 * page_sz);
	if (write(fd, buf, 2 * page_sz) != 2 * page_sz)
		FAIL("short write to %s", tmp_path);
	fsync(fd);
	close(fd);
	free(buf);
	return open(tmp_path, flags);
}

/* The file's bytes as read(2) sees them: all 0x5e? */
static bool file_unchanged(void)
{
	char *buf = malloc(2 * page_sz);
	int fd = open(tmp_path, O_RDONLY);
	bool ok = fd >= 0 && pread(fd, buf, 2 * page_sz, 0) == 2 * page_sz &&
		  first_not(buf, 2 * page_sz, 0x5e) < 0;

	if (fd >= 0)
		close(fd);
	free(buf);
	return ok;
}

static int t_ro_file_mapping(void)
{
	int fd = make_file(O_RDONLY), t, shared;
	uint64_t x = 0;

	if (fd < 0)
		return skip("cannot create a file in TMPDIR: %s", strerror(errno));
	for (shared = 0; shared < 2; shared++) {
		const char *kind = shared ? "MAP_SHARED" : "MAP_PRIVATE";
		char *f = mmap(NULL, 2 * page_sz, PROT_READ, shared ? MAP_SHARED : MAP_PRIVATE,
			       fd, 0);

		if (f == MAP_FAILED)
			return skip("mmap of the file: %s", strerror(errno));
		for (t = 0; t < n_targets; t++) {
			struct cpu_op rd[1] = { op_memcpy(&x, f + page_sz - 4, 8) };

			EXPECT_BAD_OP(sfmt("memcpy into read-only %s file", kind),
				      op_memcpy(f, &x, 8), tcpu(t), -EFAULT);
			EXPECT_BAD_OP(sfmt("add on read-only %s file", kind),
				      op_add(f + page_sz - 4, 1, 8), tcpu(t), -EFAULT);
			EXPECT_BAD_OP(sfmt("memcpy_release 4096 into read-only %s file", kind),
				      op_memcpy_rel(f + 100, f, 4096), tcpu(t), -EFAULT);
			x = 0;
			EXPECT(sfmt("reading read-only %s file across pages", kind),
			       cpu_opv(rd, 1, tcpu(t), 0), 0);
			CHECK(x == 0x5e5e5e5e5e5e5e5eULL, "file read gave 0x%" PRIx64, x);
		}
		CHECK(first_not(f, 2 * page_sz, 0x5e) < 0, "%s read-only mapping changed", kind);
		munmap(f, 2 * page_sz);
	}
	close(fd);
	CHECK(file_unchanged(), "read-only file changed on disk");
	return case_result();
}

/* A private writable file mapping: cpu_opv writes stay in this process. */
static int t_private_file_mapping_write(void)
{
	int fd = make_file(O_RDWR), t;
	char src[64];
	char *f;

	if (fd < 0)
		return skip("cannot create a file in TMPDIR: %s", strerror(errno));
	f = mmap(NULL, 2 * page_sz, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (f == MAP_FAILED)
		return skip("mmap of the file: %s", strerror(errno));
	memset(src, 0x71, sizeof(src));
	for (t = 0; t < n_targets; t++) {
		struct cpu_op w[2] = {
			op_memcpy(f + page_sz - 32, src, 64), op_add(f + 8, 1, 8),
		};

		EXPECT("write a MAP_PRIVATE file mapping", cpu_opv(w, 2, tcpu(t), 0), 0);
		CHECK(f[page_sz] == 0x71 && f[page_sz - 32] == 0x71,
		      "the process does not see its private write");
	}
	msync(f, 2 * page_sz, MS_SYNC);
	CHECK(file_unchanged(), "a MAP_PRIVATE cpu_opv write reached the file");
	munmap(f, 2 * page_sz);
	f = mmap(NULL, 2 * page_sz, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(f != MAP_FAILED && first_not(f, 2 * page_sz, 0x5e) < 0,
	      "a fresh mapping sees the private write");
	if (f != MAP_FAILED)
		munmap(f, 2 * page_sz);
	close(fd);
	return case_result();
}

/* Control: a MAP_SHARED writable file mapping does carry the write to the file. */
static int t_shared_file_mapping_write(void)
{
	int fd = make_file(O_RDWR);
	char src[64], buf[64];
	char *f;

	if (fd < 0)
		return skip("cannot create a file in TMPDIR: %s", strerror(errno));
	f = mmap(NULL, 2 * page_sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (f == MAP_FAILED)
		return skip("mmap of the file: %s", strerror(errno));
	memset(src, 0x72, sizeof(src));
	{
		/* never touched before: the module faults the page-cache pages in */
		struct cpu_op w[1] = { op_memcpy(f + page_sz - 32, src, 64) };

		EXPECT("write a MAP_SHARED file mapping", cpu_opv(w, 1, cpu_b >= 0 ? cpu_b : cpu_a, 0), 0);
	}
	msync(f, 2 * page_sz, MS_SYNC);
	CHECK(pread(fd, buf, 64, page_sz - 32) == 64 && !memcmp(buf, src, 64),
	      "a MAP_SHARED cpu_opv write is not in the file");
	munmap(f, 2 * page_sz);
	close(fd);
	return case_result();
}

/* ------------------------------------------------------------------ */
/* Concurrency: unmap races and the per-CPU data structure use cases.  */
/* ------------------------------------------------------------------ */

static int nthreads_stress(void)
{
	int n = 2 * n_allowed;

	return n < 4 ? 4 : n;
}

static int random_cpu(uint64_t *s)
{
	return allowed[rnd_r(s) % n_allowed];
}

struct race_ctx {
	char *region;			/* 4 pages the remapper keeps changing */
	atomic_bool stop;
	atomic_long calls, ok, cmp_failed, efault, eagain, bad;
};

static void *remapper_fn(void *arg)
{
	struct race_ctx *rc = arg;
	uint64_t s = seed ^ 0x1234;

	while (!atomic_load(&rc->stop)) {
		char *pg = rc->region + (rnd_r(&s) % 4) * page_sz;

		switch (rnd_r(&s) % 4) {
		case 0:		/* gone, then back as a fresh zero page */
			munmap(pg, page_sz);
			sched_yield();
			mmap(pg, page_sz, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 1:		/* replaced in place, no gap */
			mmap(pg, page_sz, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 2:		/* write access comes and goes */
			mprotect(pg, page_sz, PROT_READ);
			sched_yield();
			mprotect(pg, page_sz, PROT_READ | PROT_WRITE);
			break;
		default:	/* no access at all for a moment */
			mprotect(pg, page_sz, PROT_NONE);
			mprotect(pg, page_sz, PROT_READ | PROT_WRITE);
			break;
		}
	}
	return NULL;
}

struct race_caller {
	pthread_t th;
	struct race_ctx *rc;
	long n;
	int self;
};

static void *race_caller_fn(void *arg)
{
	struct race_caller *c = arg;
	struct race_ctx *rc = c->rc;
	uint64_t s = seed ^ (uint64_t)c->self * 7919;
	char src[64];
	long i;

	memset(src, 0x6d, sizeof(src));
	for (i = 0; i < c->n; i++) {
		char *r = rc->region;
		bool expect = rnd_r(&s) & 1;
		struct cpu_op v[3] = {
			op_memcpy(r + rnd_r(&s) % (4 * page_sz - 64), src, 64),
			op_add(r + (rnd_r(&s) % (4 * page_sz / 8 - 1)) * 8, 1, 8),
			op_cmp_eq(r + rnd_r(&s) % (4 * page_sz - 8), src, 8),
		};
		int ret, e;

		v[0].u.memcpy_op.expect_fault_dst = expect;
		v[1].u.arithmetic_op.expect_fault_p = expect;
		v[2].u.compare_op.expect_fault_a = expect;
		ret = cpu_opv(v, 3, random_cpu(&s), 0);
		e = errno;
		atomic_fetch_add(&rc->calls, 1);
		if (ret == 0)
			atomic_fetch_add(&rc->ok, 1);
		else if (ret == 3)
			atomic_fetch_add(&rc->cmp_failed, 1);
		else if (ret == -1 && e == EFAULT && !expect)
			atomic_fetch_add(&rc->efault, 1);
		else if (ret == -1 && e == EAGAIN && expect)
			atomic_fetch_add(&rc->eagain, 1);
		else if (atomic_fetch_add(&rc->bad, 1) < 5)
			FAIL("racing call (expect_fault %d): got %d %s", expect, ret,
			     ret < 0 ? errname(e) : "");
	}
	return NULL;
}

/* Operands unmapped/remapped/mprotected by another thread while calls run. */
static int t_concurrent_munmap(void)
{
	struct race_ctx rc = { 0 };
	struct race_caller callers[CPU_SETSIZE];
	int i, n = n_allowed > 8 ? 8 : n_allowed;
	pthread_t remapper;
	uint64_t x = 0;
	struct cpu_op v[1] = { op_add(&x, 1, 8) };

	unpin_self();
	rc.region = map_anon(4, PROT_READ | PROT_WRITE);
	pthread_create(&remapper, NULL, remapper_fn, &rc);
	for (i = 0; i < n; i++) {
		callers[i] = (struct race_caller){ .rc = &rc, .n = scaled(3000) / n,
						   .self = allowed[i] };
		pthread_create(&callers[i].th, NULL, race_caller_fn, &callers[i]);
	}
	for (i = 0; i < n; i++)
		pthread_join(callers[i].th, NULL);
	atomic_store(&rc.stop, true);
	pthread_join(remapper, NULL);
	diag("%ld calls: %ld ok, %ld compare-failed, %ld EFAULT, %ld EAGAIN, %ld wrong",
	     rc.calls, rc.ok, rc.cmp_failed, rc.efault, rc.eagain, rc.bad);
	CHECK(rc.bad == 0, "%ld calls returned something else than 0/3/EFAULT/EAGAIN", rc.bad);
	CHECK(rc.ok + rc.cmp_failed > 0, "no call ever succeeded");
	EXPECT("known-good vector afterwards", cpu_opv(v, 1, cpu_a, 0), 0);
	CHECK(x == 1, "known-good vector did not run");
	return case_result();
}

/* ----- use case 2: per-CPU statistics counter ----- */

struct pcpu_slot {
	uint64_t v;
	uint64_t lock;
	uint64_t owner;
	atomic_int in_cs;
	uint64_t head;
} __attribute__((aligned(64)));

static struct pcpu_slot *pcpu;	/* CPU_SETSIZE slots, in the case's process */

struct counter_worker {
	pthread_t th;
	int id;
	long n, err;
	uint64_t added[CPU_SETSIZE];
};

static void *counter_worker_fn(void *arg)
{
	struct counter_worker *w = arg;
	uint64_t s = seed ^ ((uint64_t)w->id << 32);
	long i;

	for (i = 0; i < w->n; i++) {
		int cpu = random_cpu(&s);
		int64_t k = 1 + rnd_r(&s) % 100;
		struct cpu_op v[1] = { (i & 1) ? op_add_rel(&pcpu[cpu].v, k, 8) :
						 op_add(&pcpu[cpu].v, k, 8) };

		if (cpu_opv(v, 1, cpu, 0))
			w->err++;
		else
			w->added[cpu] += k;
	}
	return NULL;
}

static struct pcpu_slot *alloc_pcpu(void)
{
	size_t sz = CPU_SETSIZE * sizeof(struct pcpu_slot);
	void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(KSFT_FAIL);
	return p;
}

static int t_percpu_counter(void)
{
	int nt = nthreads_stress(), i, c;
	struct counter_worker *w = calloc(nt, sizeof(*w));

	unpin_self();
	pcpu = alloc_pcpu();
	for (i = 0; i < nt; i++) {
		w[i].id = i;
		w[i].n = scaled(1500);
		pthread_create(&w[i].th, NULL, counter_worker_fn, &w[i]);
	}
	for (i = 0; i < nt; i++)
		pthread_join(w[i].th, NULL);
	for (i = 0; i < n_allowed; i++) {
		uint64_t want = 0;

		c = allowed[i];
		for (int j = 0; j < nt; j++)
			want += w[j].added[c];
		CHECK(pcpu[c].v == want, "cpu %d counter %" PRIu64 ", want %" PRIu64
		      " (lost or duplicated adds)", c, pcpu[c].v, want);
	}
	for (i = 0; i < nt; i++)
		CHECK(!w[i].err, "thread %d: %ld adds failed", i, w[i].err);
	diag("%d threads x %ld adds on %d CPUs", nt, w[0].n, n_allowed);
	free(w);
	return case_result();
}

/* ----- use case 1: per-CPU spinlock ----- */

struct lock_worker {
	pthread_t th;
	int id;
	long n, err, busy;
	uint64_t taken[CPU_SETSIZE];
};

static void *lock_worker_fn(void *arg)
{
	struct lock_worker *w = arg;
	uint64_t s = seed ^ ((uint64_t)w->id << 40);
	uint64_t zero = 0, one = 1;
	long i;

	for (i = 0; i < w->n; i++) {
		int cpu = random_cpu(&s);
		struct pcpu_slot *sl = &pcpu[cpu];
		struct cpu_op lock[2] = {
			op_cmp_eq(&sl->lock, &zero, 8), op_memcpy(&sl->lock, &one, 8),
		};
		int r;

		for (;;) {
			r = cpu_opv(lock, 2, cpu, 0);
			if (r != 1)
				break;
			w->busy++;
			sched_yield();
		}
		if (r) {
			w->err++;
			continue;
		}
		/* inside: nobody else may be here, and the plain increment must stick */
		if (atomic_exchange(&sl->in_cs, 1))
			FAIL("two owners of cpu %d's lock at once", cpu);
		sl->owner = (uint64_t)w->id + 1;
		{
			volatile uint64_t *vp = &sl->v;
			uint64_t t = *vp;

			if (!(i & 15))
				sched_yield();	/* hold it across a reschedule now and then */
			*vp = t + 1;
		}
		if (sl->owner != (uint64_t)w->id + 1)
			FAIL("cpu %d's lock owner changed under us", cpu);
		w->taken[cpu]++;
		atomic_store(&sl->in_cs, 0);

		/* unlock: user store-release, or cpu_opv memcpy_release / add_release */
		switch (i % 3) {
		case 0:
			__atomic_store_n(&sl->lock, 0, __ATOMIC_RELEASE);
			break;
		case 1: {
			struct cpu_op u[1] = { op_memcpy_rel(&sl->lock, &zero, 8) };

			if (cpu_opv(u, 1, cpu, 0))
				w->err++;
			break;
		}
		default: {
			struct cpu_op u[1] = { op_add_rel(&sl->lock, -1, 8) };

			if (cpu_opv(u, 1, cpu, 0))
				w->err++;
			break;
		}
		}
	}
	return NULL;
}

static int t_percpu_spinlock(void)
{
	int nt = nthreads_stress(), i, c;
	struct lock_worker *w = calloc(nt, sizeof(*w));
	long busy = 0;

	unpin_self();
	pcpu = alloc_pcpu();
	for (i = 0; i < nt; i++) {
		w[i].id = i;
		w[i].n = scaled(800);
		pthread_create(&w[i].th, NULL, lock_worker_fn, &w[i]);
	}
	for (i = 0; i < nt; i++)
		pthread_join(w[i].th, NULL);
	for (i = 0; i < n_allowed; i++) {
		uint64_t want = 0;

		c = allowed[i];
		for (int j = 0; j < nt; j++)
			want += w[j].taken[c];
		CHECK(pcpu[c].v == want, "cpu %d: protected counter %" PRIu64 ", %" PRIu64
		      " acquisitions", c, pcpu[c].v, want);
		CHECK(pcpu[c].lock == 0, "cpu %d: lock left at %" PRIu64, c, pcpu[c].lock);
	}
	for (i = 0; i < nt; i++) {
		CHECK(!w[i].err, "thread %d: %ld lock/unlock calls failed", i, w[i].err);
		busy += w[i].busy;
	}
	diag("%d threads x %ld lock/unlock, %ld busy retries", nt, w[0].n, busy);
	free(w);
	return case_result();
}

/* ----- use case 3: per-CPU LIFO list ----- */

struct lnode {
	uint64_t next;		/* struct lnode *, as the 8 bytes cpu_opv copies */
	atomic_int in_list;
	int id;
};

static struct lnode *lnodes;
static atomic_long lifo_eagain;

static void lifo_push(int cpu, struct lnode *n, long *err)
{
	uint64_t *head = &pcpu[cpu].head;
	uint64_t expect, nptr = (uintptr_t)n;

	atomic_store(&n->in_list, 1);
	for (;;) {
		struct cpu_op v[2];
		int r;

		expect = __atomic_load_n(head, __ATOMIC_RELAXED);
		n->next = expect;
		v[0] = op_cmp_eq(head, &expect, 8);
		v[1] = op_memcpy_rel(head, &nptr, 8);
		r = cpu_opv(v, 2, cpu, 0);
		if (r == 0)
			return;
		if (r != 1) {
			(*err)++;
			return;
		}
	}
}

static struct lnode *lifo_pop(int cpu, long *err)
{
	uint64_t *head = &pcpu[cpu].head;

	for (;;) {
		uint64_t h = __atomic_load_n(head, __ATOMIC_ACQUIRE);
		struct cpu_op v[2];
		int r;

		if (!h)
			return NULL;
		v[0] = op_cmp_eq(head, &h, 8);
		v[1] = op_memcpy(head, &((struct lnode *)(uintptr_t)h)->next, 8);
		v[1].u.memcpy_op.expect_fault_src = 1;
		r = cpu_opv(v, 2, cpu, 0);
		if (r == 0) {
			struct lnode *n = (struct lnode *)(uintptr_t)h;

			if (atomic_exchange(&n->in_list, 0) != 1)
				FAIL("node %d popped but it was not in a list", n->id);
			return n;
		}
		if (r == -1 && errno == EAGAIN) {
			atomic_fetch_add(&lifo_eagain, 1);
			continue;
		}
		if (r != 1) {
			(*err)++;
			return NULL;
		}
	}
}

#define LIFO_NODES_PER_THREAD	32

struct lifo_worker {
	pthread_t th;
	int id;
	long n, err, pushes, pops;
	struct lnode *own[LIFO_NODES_PER_THREAD * 64];
	int nown;
};

static void *lifo_worker_fn(void *arg)
{
	struct lifo_worker *w = arg;
	uint64_t s = seed ^ ((uint64_t)w->id << 48);
	long i;

	for (i = 0; i < w->n; i++) {
		int cpu = random_cpu(&s);

		if (w->nown && (rnd_r(&s) & 1)) {
			lifo_push(cpu, w->own[--w->nown], &w->err);
			w->pushes++;
		} else if (w->nown < (int)CPU_OPV_ARRAY_SIZE(w->own)) {
			struct lnode *n = lifo_pop(cpu, &w->err);

			if (n) {
				w->own[w->nown++] = n;
				w->pops++;
			}
		}
	}
	return NULL;
}

static int t_percpu_lifo(void)
{
	int nt = nthreads_stress(), i, total;
	struct lifo_worker *w = calloc(nt, sizeof(*w));
	unsigned char *seen;
	long pushes = 0, pops = 0, err = 0, drained = 0;

	unpin_self();
	pcpu = alloc_pcpu();
	total = nt * LIFO_NODES_PER_THREAD;
	lnodes = calloc(total, sizeof(*lnodes));
	seen = calloc(total, 1);
	for (i = 0; i < total; i++)
		lnodes[i].id = i;
	for (i = 0; i < nt; i++) {
		w[i].id = i;
		w[i].n = scaled(1200);
		for (int j = 0; j < LIFO_NODES_PER_THREAD; j++)
			w[i].own[w[i].nown++] = &lnodes[i * LIFO_NODES_PER_THREAD + j];
		pthread_create(&w[i].th, NULL, lifo_worker_fn, &w[i]);
	}
	for (i = 0; i < nt; i++) {
		pthread_join(w[i].th, NULL);
		pushes += w[i].pushes;
		pops += w[i].pops;
		err += w[i].err;
		for (int j = 0; j < w[i].nown; j++)
			seen[w[i].own[j]->id]++;
	}
	/* drain every list: each node must come out exactly once */
	for (i = 0; i < n_allowed; i++) {
		struct lnode *n;

		while ((n = lifo_pop(allowed[i], &err))) {
			seen[n->id]++;
			drained++;
		}
	}
	for (i = 0; i < total; i++)
		CHECK(seen[i] == 1, "node %d accounted %d times", i, seen[i]);
	CHECK(pushes == pops + drained, "%ld pushes, %ld pops + %ld drained", pushes, pops,
	      drained);
	CHECK(!err, "%ld push/pop calls failed", err);
	diag("%d threads: %ld pushes, %ld pops, %ld drained, %ld EAGAIN", nt, pushes, pops,
	     drained, atomic_load(&lifo_eagain));
	free(seen);
	free(w);
	return case_result();
}

/* Defined with the leak check and the runner, used earlier too. */
struct leak_sample {
	long long pin_acq, pin_rel, vmalloc_kb;
};

static bool read_kv(const char *path, const char *key, long long *val);
static bool leak_sample(struct leak_sample *s);
static double now_s(void);

/* ------------------------------------------------------------------ */
/* Hostile memory: what the kernel's memory rules forbid or make hard. */
/* ------------------------------------------------------------------ */

#ifndef SYS_memfd_secret
#define SYS_memfd_secret	447
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT		26
#endif

/* The kernel we run on is at least major.minor. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * What a case lacks to run: in the test VM, which provides it all, that is
 * a failure (so CI cannot pass by skipping); elsewhere a skip.
 */
static int missing(const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (in_vm) {
		FAIL("the test VM should provide this: %s", buf);
		return KSFT_FAIL;
	}
	return skip("%s", buf);
}

/* pages of memfd_secret memory (not in the kernel's direct map), or NULL. */
static char *map_secret(size_t pages)
{
	int fd = (int)syscall(SYS_memfd_secret, 0);
	void *p;

	if (fd < 0)
		return NULL;
	if (ftruncate(fd, (off_t)(pages * page_sz))) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, pages * page_sz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* One call that must fail with @err, or with EAGAIN when @ef is set. */
#define EXPECT_FAULT(what, ops, cnt, cpu, ef) \
	EXPECT(what, cpu_opv(ops, cnt, cpu, 0), (ef) ? -EAGAIN : -EFAULT)

static int t_secretmem(void)
{
	char *s = map_secret(2), *fresh, saved[64];
	uint64_t plain = 7, dst;
	int t, ef;

	if (!s)
		return missing("memfd_secret: %s (6.1 needs secretmem.enable=1)",
			       strerror(errno));
	fresh = s + page_sz;	/* never touched: not even present */
	memset(s, 0x5e, page_sz);
	memcpy(saved, s, sizeof(saved));
	for (t = 0; t < n_targets; t++) {
		for (ef = 0; ef < 2; ef++) {
			for (char *sec = s; sec <= fresh; sec += page_sz) {
				const char *where = sec == s ? "present" : "untouched";
				struct cpu_op v[2];

				v[0] = op_add(sec + 8, 1, 8);
				v[0].u.arithmetic_op.expect_fault_p = ef;
				EXPECT_FAULT(sfmt("add on %s secretmem, cpu %d", where, tcpu(t)),
					     v, 1, tcpu(t), ef);
				v[0] = op_cmp_eq(sec, &plain, 8);
				v[0].u.compare_op.expect_fault_a = ef;
				EXPECT_FAULT(sfmt("compare a in %s secretmem", where), v, 1,
					     tcpu(t), ef);
				v[0] = op_cmp_ne(&plain, sec, 8);
				v[0].u.compare_op.expect_fault_b = ef;
				EXPECT_FAULT(sfmt("compare b in %s secretmem", where), v, 1,
					     tcpu(t), ef);
				dst = 3;
				v[0] = op_memcpy(&dst, sec, 8);
				v[0].u.memcpy_op.expect_fault_src = ef;
				EXPECT_FAULT(sfmt("memcpy from %s secretmem", where), v, 1,
					     tcpu(t), ef);
				CHECK(dst == 3, "memcpy from secretmem wrote the destination");
				v[0] = op_memcpy(sec + 16, &plain, 8);
				v[0].u.memcpy_op.expect_fault_dst = ef;
				EXPECT_FAULT(sfmt("memcpy into %s secretmem", where), v, 1,
					     tcpu(t), ef);
				/* validation before any op: the add must not run */
				v[0] = op_add(&plain, 1, 8);
				v[1] = op_memcpy(sec, &plain, 8);
				v[1].u.memcpy_op.expect_fault_dst = ef;
				EXPECT_FAULT("add, then memcpy into secretmem", v, 2, tcpu(t), ef);
				CHECK(plain == 7, "a vector that faulted on secretmem ran its add");
			}
		}
	}
	CHECK(!memcmp(s, saved, sizeof(saved)) && first_not(s, page_sz, 0x5e) < 0,
	      "the secret changed");
	CHECK(first_not(fresh, page_sz, 0) < 0, "the untouched secret page is not zero");
	munmap(s, 2 * page_sz);
	return case_result();
}

/*
 * Every vector on a huge page must return at once with the right result:
 * a 1 GiB page once made the module re-pin forever.
 */
static void huge_page_vectors(char *h, size_t len, const char *kind)
{
	const size_t offs[] = { 8, page_sz - 4, len / 2, len - 8 };
	double worst = 0;
	int t;

	for (t = 0; t < n_targets; t++) {
		for (size_t i = 0; i < CPU_OPV_ARRAY_SIZE(offs); i++) {
			char *p = h + offs[i];
			/* 200 bytes around p, inside the mapping */
			char *src = p + 192 <= h + len ? p - 8 : h + len - 200;
			uint64_t v0, want;
			struct cpu_op v[3];
			double t0 = now_s(), dt;

			memcpy(&v0, p, 8);
			want = v0 + 5;
			v[0] = op_add(p, 5, 8);
			v[1] = op_cmp_eq(p, &want, 8);
			v[2] = op_memcpy(h + len / 4 + page_sz - 100, src, 200);
			EXPECT(sfmt("%s page, offset %zu, cpu %d", kind, offs[i], tcpu(t)),
			       cpu_opv(v, 3, tcpu(t), 0), 0);
			dt = now_s() - t0;
			worst = dt > worst ? dt : worst;
			CHECK(!memcmp(p, &want, 8), "%s page: the add did not land", kind);
			CHECK(!memcmp(h + len / 4 + page_sz - 100, src, 200),
			      "%s page: the 200-byte copy did not land", kind);
		}
	}
	diag("%s page: slowest call %.3f s", kind, worst);
	CHECK(worst < 2.0, "%s page: a call took %.1f s", kind, worst);
}

static char *map_huge(size_t len, int shift)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
		       (shift << MAP_HUGE_SHIFT), -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static const char hp1g_path[] =
	"/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages";

static void hugetlb_1g_cleanup(void)
{
	if (shm->reserved_1g)
		write_str(hp1g_path, "0");
}

static int t_hugetlb_1g(void)
{
	size_t len = 1UL << 30;
	char *h = map_huge(len, 30);
	struct cpu_op first[1];
	double t0;

	/* None reserved at boot (hugepagesz=1G hugepages=1): try now. */
	if (!h && !write_str(hp1g_path, "1")) {
		shm->reserved_1g = true;
		h = map_huge(len, 30);
	}
	if (!h)
		return missing("no 1 GiB hugetlb page (boot with hugepagesz=1G hugepages=1): %s",
			       strerror(errno));
	/* The first vector faults the huge page in itself. */
	first[0] = op_add(h + 64, 3, 8);
	t0 = now_s();
	EXPECT("add on an untouched 1 GiB page", cpu_opv(first, 1, tcpu(1), 0), 0);
	/* zeroing 1 GiB takes seconds under an emulator: bounded, not instant */
	CHECK(now_s() - t0 < 60.0, "faulting in the 1 GiB page took %.1f s", now_s() - t0);
	CHECK(*(uint64_t *)(h + 64) == 3, "the add on the untouched page did not land");
	huge_page_vectors(h, len, "1 GiB hugetlb");
	munmap(h, len);
	return case_result();
}

static const char hp2m_path[] = "/proc/sys/vm/nr_hugepages";

static void hugetlb_2m_cleanup(void)
{
	write_str(hp2m_path, "0");
}

static int t_hugetlb_2m(void)
{
	size_t len = 4UL << 20;
	char *h;

	/* The default pool (2 MiB on x86) is empty unless reserved: root can. */
	if (write_str(hp2m_path, "2"))
		return missing("cannot reserve 2 MiB hugetlb pages: %s", strerror(errno));
	h = map_huge(len, 21);
	if (!h)
		return missing("no 2 MiB hugetlb pages: %s", strerror(errno));
	memset(h, 0x21, len);
	huge_page_vectors(h, len, "2 MiB hugetlb");
	munmap(h, len);
	return case_result();
}

/* ----- NUMA balancing: hinting (protnone) PTEs under read operands ----- */

static const char numa_sysctl[] = "/proc/sys/kernel/numa_balancing";
static const char numa_dbg[] = "/sys/kernel/debug/sched/numa_balancing";

static void numa_knob(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", numa_dbg, name);
	write_str(path, val);
}

static void numa_cleanup(void)
{
	write_str(numa_sysctl, shm->numa_saved[0] ? shm->numa_saved : "0");
	numa_knob("scan_delay_ms", "1000");
	numa_knob("scan_period_min_ms", "1000");
}

static long long vmstat(const char *key)
{
	long long v = -1;

	write_str("/proc/sys/vm/stat_refresh", "1");
	read_kv("/proc/vmstat", key, &v);
	return v;
}

static void *numa_sleeper_fn(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int t_numa_hint_read(void)
{
	const int npages = 64;
	pthread_t sleeper;
	char *m, buf[16] = "";
	long long hints0, updates0, hints = 0, updates = 0;
	double t0 = now_s(), worst = 0, limit = 30.0;
	long calls = 0;
	int fd;

	if (access("/sys/devices/system/node/node1", F_OK))
		return missing("one NUMA node only (the VM boots two: qemu -numa)");
	fd = open(numa_sysctl, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)	/* e.g. PREEMPT_RT */
		return skip("this kernel has no NUMA balancing (no %s)", numa_sysctl);
	close(fd);
	snprintf(shm->numa_saved, sizeof(shm->numa_saved), "%.*s", 1, buf);
	if (access(numa_dbg, F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	/* Scan soon and often, so hints appear within seconds. */
	numa_knob("scan_delay_ms", "10");
	numa_knob("scan_period_min_ms", "10");
	if (write_str(numa_sysctl, "1"))
		return missing("cannot enable NUMA balancing: %s", strerror(errno));

	/*
	 * The scanner leaves alone the pages of a single-threaded task that
	 * are on its own node: a second thread (asleep) makes them shared.
	 */
	pthread_create(&sleeper, NULL, numa_sleeper_fn, NULL);
	m = map_anon(npages, PROT_READ | PROT_WRITE);
	for (int i = 0; i < npages; i++)
		*(uint64_t *)(m + i * page_sz) = 1000 + i;
	hints0 = vmstat("numa_hint_faults");
	updates0 = vmstat("numa_pte_updates");
	/*
	 * From here on only the module reads these pages, so a hinting PTE
	 * the scanner leaves stays there until a vector meets it.
	 */
	while (now_s() - t0 < limit) {
		for (int i = 0; i < npages; i++) {
			uint64_t want = 1000 + i, copy = 0;
			struct cpu_op v[2] = {
				op_cmp_eq(m + i * page_sz, &want, 8),
				op_memcpy(&copy, m + i * page_sz, 8),
			};
			double c0 = now_s(), dt;
			int r = cpu_opv(v, 2, tcpu(i & 1), 0), e = errno;

			dt = now_s() - c0;
			worst = dt > worst ? dt : worst;
			calls++;
			if (r != 0 || copy != want) {
				FAIL("read of page %d: ret %d %s, copied %" PRIu64, i, r,
				     r < 0 ? errname(e) : "", copy);
				goto out;
			}
		}
		hints = vmstat("numa_hint_faults") - hints0;
		updates = vmstat("numa_pte_updates") - updates0;
		/* enough hinting PTEs met (and faulted by GUP) to have proved it */
		if (updates >= npages && hints >= npages / 4 && now_s() - t0 > 2.0)
			break;
	}
out:
	diag("%ld calls in %.1f s, slowest %.3f s; %lld PTEs made hints, %lld hint faults",
	     calls, now_s() - t0, worst, updates, hints);
	CHECK(worst < 2.0, "a read under NUMA balancing took %.1f s", worst);
	if (!case_result() && updates < npages)
		return missing("NUMA balancing marked only %lld PTEs in %.0f s", updates, limit);
	munmap(m, npages * page_sz);
	return case_result();
}

/* ----- a call blocked on a fault must answer signals ----- */

static volatile sig_atomic_t sig_seen;

static void on_sigusr1(int sig)
{
	(void)sig;
	sig_seen = 1;
}

struct blocked_call {
	pthread_t th;
	char *p;
	char *q;		/* a present page the vector also writes, or NULL */
	int cpu, ret, err;
	atomic_int state;	/* 0 starting, 1 in the call, 2 returned */
};

static void *blocked_call_fn(void *arg)
{
	struct blocked_call *b = arg;
	struct cpu_op v[2] = { op_add(b->p, 1, 8), op_add(b->q, 1, 8) };

	atomic_store(&b->state, 1);
	b->ret = cpu_opv(v, b->q ? 2 : 1, b->cpu, 0);
	b->err = errno;
	atomic_store(&b->state, 2);
	return NULL;
}

/* Waits up to @secs for @b to reach @state. */
static bool wait_state(struct blocked_call *b, int state, double secs)
{
	double t0 = now_s();

	while (atomic_load(&b->state) != state) {
		if (now_s() - t0 > secs)
			return false;
		usleep(5000);
	}
	return true;
}

/* A fresh page registered with a userfaultfd nobody serves: faults block. */
static int uffd_page(char **page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		return -1;
	}
	*page = map_anon(1, PROT_READ | PROT_WRITE);
	reg.range.start = (uintptr_t)*page;
	reg.range.len = page_sz;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(fd, UFFDIO_REGISTER, &reg)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Serves the fault: the page appears holding @val in its first word. */
static void uffd_serve(int fd, char *page, uint64_t val)
{
	char *src = map_anon(1, PROT_READ | PROT_WRITE);
	struct uffdio_copy cp = {
		.dst = (uintptr_t)page, .src = (uintptr_t)src, .len = page_sz,
	};

	memcpy(src, &val, 8);
	if (ioctl(fd, UFFDIO_COPY, &cp) && errno != EEXIST)
		FAIL("UFFDIO_COPY: %s", strerror(errno));
	unmap(src, 1);
}

static void set_sigusr1(bool restart)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };

	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static int t_interruptible(void)
{
	bool eintr = kernel_at_least(6, 2);	/* FOLL_INTERRUPTIBLE */
	struct leak_sample s0, s1;
	int t;

	for (t = 0; t < n_targets; t++) {
		struct blocked_call b = { .cpu = tcpu(t) };
		int fd = uffd_page(&b.p);
		pid_t pid;
		int st;

		if (fd < 0)
			return missing("userfaultfd: %s", strerror(errno));

		/*
		 * A signal without SA_RESTART: EINTR, and the vector did not run.
		 * While it waits for the fault, the call holds no pin, not even
		 * on the present page it also writes.
		 */
		set_sigusr1(false);
		b.q = map_anon(1, PROT_READ | PROT_WRITE);
		memset(b.q, 0, page_sz);
		leak_sample(&s0);
		pthread_create(&b.th, NULL, blocked_call_fn, &b);
		CHECK(wait_state(&b, 1, 5) && !wait_state(&b, 2, 0.3),
		      "cpu %d: the call on a userfaultfd page did not block", b.cpu);
		leak_sample(&s1);
		CHECK(s1.pin_acq - s1.pin_rel == s0.pin_acq - s0.pin_rel,
		      "cpu %d: %lld pins held while the call waits on a fault", b.cpu,
		      (s1.pin_acq - s1.pin_rel) - (s0.pin_acq - s0.pin_rel));
		pthread_kill(b.th, SIGUSR1);
		if (eintr) {
			CHECK(wait_state(&b, 2, 5), "cpu %d: a signal did not end the call",
			      b.cpu);
			if (atomic_load(&b.state) == 2)
				expect_ret(__LINE__, "call interrupted by a signal", b.ret,
					   b.err, -EINTR);
		}
		uffd_serve(fd, b.p, 40);
		pthread_join(b.th, NULL);
		if (eintr)
			CHECK(*(uint64_t *)b.p == 40 && *(uint64_t *)b.q == 0,
			      "the interrupted vector ran anyway");
		else
			CHECK(b.ret == 0 && *(uint64_t *)b.p == 41,
			      "before 6.2 the call waits for the fault: ret %d, value %" PRIu64,
			      b.ret, *(uint64_t *)b.p);
		close(fd);

		/* With SA_RESTART the call restarts and completes once served. */
		b = (struct blocked_call){ .cpu = tcpu(t) };
		fd = uffd_page(&b.p);
		set_sigusr1(true);
		sig_seen = 0;
		pthread_create(&b.th, NULL, blocked_call_fn, &b);
		wait_state(&b, 1, 5);
		usleep(200000);
		pthread_kill(b.th, SIGUSR1);
		CHECK(!wait_state(&b, 2, 0.3), "cpu %d: SA_RESTART: the call returned %d %s",
		      b.cpu, b.ret, errname(b.err));
		uffd_serve(fd, b.p, 41);
		CHECK(wait_state(&b, 2, 5), "the restarted call did not complete");
		pthread_join(b.th, NULL);
		CHECK(b.ret == 0 && *(uint64_t *)b.p == 42,
		      "restarted call: ret %d %s, value %" PRIu64, b.ret,
		      b.ret < 0 ? errname(b.err) : "", *(uint64_t *)b.p);
		CHECK(sig_seen, "the handler did not run");
		close(fd);

		/* SIGKILL ends a blocked caller on every kernel. */
		pid = fork();
		if (pid == 0) {
			struct blocked_call c = { .cpu = b.cpu };

			fd = uffd_page(&c.p);
			if (fd < 0)
				_exit(3);
			blocked_call_fn(&c);
			_exit(2);	/* should never return */
		}
		usleep(300000);
		kill(pid, SIGKILL);
		{
			double t0 = now_s();

			while (waitpid(pid, &st, WNOHANG) == 0 && now_s() - t0 < 5)
				usleep(10000);
			CHECK(now_s() - t0 < 5, "SIGKILL did not end a blocked caller");
			CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
			      "blocked caller: status 0x%x", st);
		}
	}
	signal(SIGUSR1, SIG_DFL);
	return case_result();
}

/* ----- protection keys: what the caller's PKRU forbids, the module refuses ----- */

static int t_pkeys(void)
{
	int wd = pkey_alloc(0, PKEY_DISABLE_WRITE);
	int ad = pkey_alloc(0, PKEY_DISABLE_ACCESS);
	char *pw = map_anon(1, PROT_READ | PROT_WRITE);
	char *pa = map_anon(1, PROT_READ | PROT_WRITE);
	char *pu = map_anon(1, PROT_READ | PROT_WRITE);	/* untouched */
	uint64_t word = 0x7777777777777777ULL, dst, zero = 0;
	int t, ef;

	if (wd < 0 || ad < 0)
		return missing("pkey_alloc: %s (no PKU, or OSPKE off)", strerror(errno));
	memset(pw, 0x77, page_sz);
	memset(pa, 0x77, page_sz);
	if (pkey_mprotect(pw, page_sz, PROT_READ | PROT_WRITE, wd) ||
	    pkey_mprotect(pa, page_sz, PROT_READ | PROT_WRITE, ad) ||
	    pkey_mprotect(pu, page_sz, PROT_READ | PROT_WRITE, wd))
		return missing("pkey_mprotect: %s", strerror(errno));

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);
		struct cpu_op v[1];

		/* write-disabled: reads go, writes are refused */
		v[0] = op_cmp_eq(pw, &word, 8);
		EXPECT(sfmt("compare on a write-disabled key, cpu %d", cpu),
		       cpu_opv(v, 1, cpu, 0), 0);
		dst = 0;
		v[0] = op_memcpy(&dst, pw, 8);
		EXPECT("memcpy from a write-disabled key", cpu_opv(v, 1, cpu, 0), 0);
		CHECK(dst == word, "memcpy from a write-disabled key copied %" PRIx64, dst);
		v[0] = op_cmp_eq(pu, &zero, 8);
		EXPECT("compare on an untouched write-disabled page", cpu_opv(v, 1, cpu, 0), 0);
		for (ef = 0; ef < 2; ef++) {
			v[0] = op_add(pw, 1, 8);
			v[0].u.arithmetic_op.expect_fault_p = ef;
			EXPECT_FAULT("add on a write-disabled key", v, 1, cpu, ef);
			v[0] = op_add(pu, 1, 8);
			v[0].u.arithmetic_op.expect_fault_p = ef;
			EXPECT_FAULT("add on an untouched write-disabled page", v, 1, cpu, ef);
			v[0] = op_memcpy(pw + 8, &zero, 8);
			v[0].u.memcpy_op.expect_fault_dst = ef;
			EXPECT_FAULT("memcpy into a write-disabled key", v, 1, cpu, ef);
			/* access-disabled: nothing goes */
			v[0] = op_cmp_eq(pa, &word, 8);
			v[0].u.compare_op.expect_fault_a = ef;
			EXPECT_FAULT("compare on an access-disabled key", v, 1, cpu, ef);
			v[0] = op_memcpy(&dst, pa, 8);
			v[0].u.memcpy_op.expect_fault_src = ef;
			EXPECT_FAULT("memcpy from an access-disabled key", v, 1, cpu, ef);
			v[0] = op_add(pa, 1, 8);
			v[0].u.arithmetic_op.expect_fault_p = ef;
			EXPECT_FAULT("add on an access-disabled key", v, 1, cpu, ef);
		}
	}
	CHECK(first_not(pw, page_sz, 0x77) < 0, "the write-disabled page changed");
	CHECK(first_not(pu, page_sz, 0) < 0, "the untouched write-disabled page changed");

	/* Rights given back: the same vectors work. */
	pkey_set(wd, 0);
	pkey_set(ad, 0);
	CHECK(first_not(pa, page_sz, 0x77) < 0, "the access-disabled page changed");
	for (t = 0; t < n_targets; t++) {
		struct cpu_op v[2] = { op_add(pw, 1, 8), op_add(pa, 1, 8) };

		EXPECT("adds once the keys allow it", cpu_opv(v, 2, tcpu(t), 0), 0);
	}
	CHECK(*(uint64_t *)pw == word + n_targets && *(uint64_t *)pa == word + n_targets,
	      "adds after pkey_set did not land");
	return case_result();
}

/* ----- errno precedence: an unexpected fault wins over an expected one ----- */

static int t_errno_precedence(void)
{
	char *holed = map_then_hole(1), *hole = holed + page_sz;
	char *secret = map_secret(1);
	uint64_t x = 0;
	int t;

	for (t = 0; t < n_targets; t++) {
		int cpu = tcpu(t);
		struct cpu_op v[3];

		/* read unexpected, write expected: EFAULT, whatever the pin order */
		v[0] = op_cmp_eq(hole, &x, 8);
		v[1] = op_add(hole + 64, 1, 8);
		v[1].u.arithmetic_op.expect_fault_p = 1;
		EXPECT("unexpected read fault + expected write fault", cpu_opv(v, 2, cpu, 0),
		       -EFAULT);
		/* and the other way round */
		v[0] = op_cmp_eq(hole, &x, 8);
		v[0].u.compare_op.expect_fault_a = 1;
		v[1] = op_add(hole + 64, 1, 8);
		EXPECT("expected read fault + unexpected write fault", cpu_opv(v, 2, cpu, 0),
		       -EFAULT);
		/* every faulting operand expected it: EAGAIN */
		v[1].u.arithmetic_op.expect_fault_p = 1;
		EXPECT("two expected faults", cpu_opv(v, 2, cpu, 0), -EAGAIN);
		/* an expected fault, then a good operand, then an unexpected one */
		v[0] = op_memcpy(&x, hole, 8);
		v[0].u.memcpy_op.expect_fault_src = 1;
		v[1] = op_add(&x, 1, 8);
		v[2] = op_memcpy(secret ? secret : hole, &x, 8);
		EXPECT("expected, good, unexpected", cpu_opv(v, 3, cpu, 0), -EFAULT);
		v[2].u.memcpy_op.expect_fault_dst = 1;
		EXPECT("expected, good, expected", cpu_opv(v, 3, cpu, 0), -EAGAIN);
		CHECK(x == 0, "a vector that faulted ran an op");
	}
	return case_result();
}

/* ----- overlapping memcpy: memmove semantics, also across pages ----- */

static int t_overlapping_memcpy(void)
{
	char *m = map_anon(3, PROT_READ | PROT_WRITE), *ref = malloc(3 * page_sz);
	const long shifts[] = { 8, -8, 1, -1, 100, -100, 4000, -4000 };
	const size_t starts[] = { 8, 4000, 4090, 2 * 4096 - 300 };
	int t;

	for (t = 0; t < n_targets; t++) {
		for (size_t i = 0; i < CPU_OPV_ARRAY_SIZE(starts); i++) {
			for (size_t j = 0; j < CPU_OPV_ARRAY_SIZE(shifts); j++) {
				char *src = m + starts[i], *dst = src + shifts[j];
				unsigned int len = 200 + (unsigned int)(i * 700);
				struct cpu_op v[1];

				if (dst < m || dst + len > m + 3 * page_sz ||
				    src + len > m + 3 * page_sz)
					continue;
				fill_pattern(m, 3 * page_sz, i * 16 + j);
				memcpy(ref, m, 3 * page_sz);
				memmove(ref + (dst - m), ref + (src - m), len);
				v[0] = op_memcpy(dst, src, len);
				EXPECT(sfmt("memcpy src +%zu shift %ld len %u, cpu %d", starts[i],
					    shifts[j], len, tcpu(t)),
				       cpu_opv(v, 1, tcpu(t), 0), 0);
				CHECK(!memcmp(m, ref, 3 * page_sz),
				      "overlapping memcpy (src +%zu, shift %ld, len %u) is not a "
				      "memmove: first difference at %ld", starts[i], shifts[j],
				      len, (long)({ long k = 0; while (m[k] == ref[k]) k++; k; }));
			}
		}
	}
	free(ref);
	return case_result();
}

/*
 * ----- a read of a page never written must not go stale -----
 * The zero page behind an untouched private page is replaced by the first
 * write. A thread on the target CPU makes that first write while we run
 * "if *p == 0 then *flag = 1" there: if the vector ran (ret 0) after the
 * thread's write, the thread's later look at flag must have seen 1 before.
 */
struct first_writer {
	pthread_t th;
	int cpu;
	uint64_t *volatile p;
	uint64_t *flag;
	atomic_int go;		/* round number to run, -1 to stop */
	atomic_int done;	/* last round finished */
	uint64_t seen;		/* *flag right after writing *p */
};

static void *first_writer_fn(void *arg)
{
	struct first_writer *w = arg;
	int round = 0;

	pin_self(w->cpu);
	for (;;) {
		int g;

		while ((g = atomic_load(&w->go)) == round)
			;
		if (g < 0)
			return NULL;
		round = g;
		for (volatile int d = rand() % 2000; d > 0; d--)
			;
		*w->p = 1;
		w->seen = __atomic_load_n(w->flag, __ATOMIC_SEQ_CST);
		atomic_store(&w->done, round);
	}
}

/* /proc/self/pagemap: the page at @p is mapped by this process alone. */
static bool page_exclusive(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd >= 0) {
		if (pread(fd, &e, 8, (off_t)((uintptr_t)p / page_sz * 8)) != 8)
			e = 0;
		close(fd);
	}
	return (e >> 63) & 1 && (e >> 56) & 1;	/* present, exclusively mapped */
}

static int t_first_write_race(void)
{
	struct first_writer w = { 0 };
	uint64_t zero = 0, one = 1, flag;
	long rounds = scaled(400), i, ran = 0, failed_cmp = 0;
	int t;

	/*
	 * Deterministic part: a read of an untouched private page (the zero
	 * page behind it) or of a private file page breaks COW, so the page
	 * the vector reads is the one a later write goes to.
	 */
	for (t = 0; t < n_targets; t++) {
		char *anon = map_anon(1, PROT_READ | PROT_WRITE);
		int fd = make_file(O_RDWR);
		char *file = mmap(NULL, page_sz, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		uint64_t f = 0x5e5e5e5e5e5e5e5eULL;
		struct cpu_op v[2] = { op_cmp_eq(anon, &zero, 8), op_cmp_eq(file, &f, 8) };

		close(fd);
		tmpfile_cleanup();
		CHECK(!page_exclusive(anon), "an untouched page is already exclusive");
		EXPECT("read untouched private pages", cpu_opv(v, 2, tcpu(t), 0), 0);
		CHECK(page_exclusive(anon), "cpu %d: the read left the zero page mapped", tcpu(t));
		CHECK(page_exclusive(file), "cpu %d: the read left the file page mapped", tcpu(t));
		unmap(anon, 1);
		munmap(file, page_sz);
	}

	if (cpu_b < 0)
		return case_result();
	w.cpu = cpu_b;
	w.flag = &flag;
	pthread_create(&w.th, NULL, first_writer_fn, &w);
	for (i = 1; i <= rounds; i++) {
		uint64_t *p = (uint64_t *)map_anon(1, PROT_READ | PROT_WRITE);	/* untouched */
		struct cpu_op v[2] = { op_cmp_eq(p, &zero, 8), op_memcpy(&flag, &one, 8) };
		int r;

		flag = 0;
		w.p = p;
		atomic_store(&w.go, (int)i);
		r = cpu_opv(v, 2, cpu_b, 0);
		while (atomic_load(&w.done) != i)
			;
		if (r == 0) {
			ran++;
			if (!w.seen && atomic_fetch_add(&diag_budget, 0) > 0)
				FAIL("round %ld: the compare saw 0 after the first write (stale page)",
				     i);
		} else if (r == 1) {
			failed_cmp++;
		} else {
			FAIL("round %ld: ret %d %s", i, r, errname(errno));
		}
		unmap(p, 1);
	}
	atomic_store(&w.go, -1);
	pthread_join(w.th, NULL);
	diag("%ld rounds: %ld ran before the first write, %ld saw it", rounds, ran, failed_cmp);
	return case_result();
}

/* ----- a page freed and reused while vectors run on it ----- */

struct reuse_ctx {
	char *p;			/* the page the caller keeps using */
	atomic_bool stop;
	atomic_long calls, ok, faults, bad;
};

static void *reuse_caller_fn(void *arg)
{
	struct reuse_ctx *rc = arg;
	uint64_t s = seed ^ 0x5151, src[8] = { 0 };

	memset(src, 0xab, sizeof(src));
	while (!atomic_load(&rc->stop)) {
		struct cpu_op v[2] = {
			op_add(rc->p + 8 * (rnd_r(&s) % 64), 1, 8),
			op_memcpy(rc->p + 1024 + 64 * (rnd_r(&s) % 32), src, 64),
		};
		int r = cpu_opv(v, 2, random_cpu(&s), 0), e = errno;

		atomic_fetch_add(&rc->calls, 1);
		if (r == 0)
			atomic_fetch_add(&rc->ok, 1);
		else if (r == -1 && e == EFAULT)
			atomic_fetch_add(&rc->faults, 1);
		else if (atomic_fetch_add(&rc->bad, 1) < 5)
			FAIL("call on a page being freed: %d %s", r, r < 0 ? errname(e) : "");
	}
	return NULL;
}

#define REUSE_KEEP	16
#define REUSE_PAGES	8

/* Fresh pages, filled with a pattern only this round knows. */
static char *reuse_fill(uint64_t salt)
{
	char *q = map_anon(REUSE_PAGES, PROT_READ | PROT_WRITE);

	fill_pattern(q, REUSE_PAGES * page_sz, salt);
	return q;
}

static bool reuse_intact(const char *q, uint64_t salt)
{
	static __thread char *ref;

	if (!ref)
		ref = malloc(REUSE_PAGES * page_sz);
	fill_pattern(ref, REUSE_PAGES * page_sz, salt);
	return !memcmp(q, ref, REUSE_PAGES * page_sz);
}

static int t_page_reuse(void)
{
	struct reuse_ctx rc = { 0 };
	char *kept[REUSE_KEEP] = { 0 };
	long rounds = scaled(1000), i, corrupt = 0;
	pthread_t th[2];
	int nth = n_allowed > 1 ? 2 : 1, k;

	rc.p = map_anon(1, PROT_READ | PROT_WRITE);
	memset(rc.p, 0, page_sz);
	for (k = 0; k < nth; k++)
		pthread_create(&th[k], NULL, reuse_caller_fn, &rc);
	for (i = 0; i < rounds; i++) {
		int slot = (int)(i % REUSE_KEEP);

		/* Free the page under the caller, three ways. */
		switch (i % 3) {
		case 0:
			madvise(rc.p, page_sz, MADV_DONTNEED);
			break;
		case 1:
			munmap(rc.p, page_sz);
			mmap(rc.p, page_sz, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		default:
			mmap(rc.p, page_sz, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		}
		/* The freed page is the likeliest to back the next allocation. */
		if (kept[slot]) {
			if (!reuse_intact(kept[slot], (uint64_t)(i - REUSE_KEEP)) &&
			    corrupt++ < 5)
				FAIL("round %ld: pages allocated after a free changed", i);
			unmap(kept[slot], REUSE_PAGES);
		}
		kept[slot] = reuse_fill((uint64_t)i);
	}
	atomic_store(&rc.stop, true);
	for (k = 0; k < nth; k++)
		pthread_join(th[k], NULL);
	for (k = 0; k < REUSE_KEEP; k++) {
		long round = rounds - REUSE_KEEP + k;

		if (round >= 0 && kept[round % REUSE_KEEP] &&
		    !reuse_intact(kept[round % REUSE_KEEP], (uint64_t)round))
			FAIL("round %ld: pages allocated after a free changed", round);
	}
	diag("%ld frees, %ld calls: %ld ok, %ld EFAULT", rounds, atomic_load(&rc.calls),
	     atomic_load(&rc.ok), atomic_load(&rc.faults));
	CHECK(atomic_load(&rc.bad) == 0, "%ld calls misbehaved", atomic_load(&rc.bad));
	CHECK(atomic_load(&rc.ok) > 0, "no call ever succeeded");
	return case_result();
}

/* ----- fork racing with vectors on the same page ----- */

struct fork_adder {
	uint64_t *c;
	atomic_bool stop;
	atomic_long ok, bad;
};

static void *fork_adder_fn(void *arg)
{
	struct fork_adder *fa = arg;
	uint64_t s = seed ^ 0xf0f0;

	while (!atomic_load(&fa->stop)) {
		struct cpu_op v[1] = { op_add(fa->c, 1, 8) };

		if (cpu_opv(v, 1, random_cpu(&s), 0) == 0)
			atomic_fetch_add(&fa->ok, 1);
		else
			atomic_fetch_add(&fa->bad, 1);
	}
	return NULL;
}

static int t_fork_race(void)
{
	struct fork_adder fa = { 0 };
	uint64_t *m = (uint64_t *)map_anon(1, PROT_READ | PROT_WRITE);
	long forks = scaled(60), i, bad = 0;
	pthread_t th;

	fa.c = &m[0];	/* the parent's counter; m[1] is the child's */
	/*
	 * Open the device before the adder starts: fork copies the fd table
	 * before the memory, so a first open() racing with it could leave the
	 * child a cached fd number it does not have (EBADF).
	 */
	cpu_opv_fd();
	pthread_create(&th, NULL, fork_adder_fn, &fa);
	for (i = 0; i < forks; i++) {
		pid_t pid = fork();
		int v;

		if (pid == 0) {
			uint64_t v0 = m[0], c1 = m[1];
			double t0 = now_s();

			/* The parent adds on: none of it may show here. */
			while (now_s() - t0 < 0.02)
				if (m[0] != v0)
					_exit(3);
			/* Our vectors on our copy: none of it may show there. */
			for (int k = 0; k < 20; k++) {
				struct cpu_op w[1] = { op_add(&m[1], 1, 8) };

				int r = cpu_opv(w, 1, tcpu(k & 1), 0);

				if (r)	/* 100 + errno, or 99 for a positive answer */
					_exit(r > 0 ? 99 : 100 + (errno & 127));
			}
			_exit(m[1] == c1 + 20 ? 0 : 4);
		}
		v = child_verdict(pid);
		if (v && bad++ < 5)
			FAIL("fork %ld: child verdict %d (3: saw the parent's add after fork, "
			     "4: its own adds went missing; its call failed: 100 + %s)", i, v,
			     v >= 100 ? errname(v - 100) : "errno");
		if (m[1] != 0 && bad++ < 5)
			FAIL("fork %ld: a child's add showed in the parent (%" PRIu64 ")", i,
			     m[1]);
	}
	atomic_store(&fa.stop, true);
	pthread_join(th, NULL);
	diag("%ld forks while %ld adds ran; counter %" PRIu64, forks,
	     atomic_load(&fa.ok), m[0]);
	CHECK(atomic_load(&fa.bad) == 0, "%ld parent adds failed", atomic_load(&fa.bad));
	CHECK(m[0] == (uint64_t)atomic_load(&fa.ok), "parent counter %" PRIu64 " != %ld adds",
	      m[0], atomic_load(&fa.ok));
	return case_result();
}

/* ------------------------------------------------------------------ */
/* Random vectors against a model of the spec, over hostile memory.    */
/* ------------------------------------------------------------------ */

/*
 * Regions, each with what the caller may do there:
 *   [arena: 4 pages RW][guard: PROT_NONE][ro: 1 page][hole: unmapped]
 * and, each followed by an unmapped page: a shared file page (RW), a
 * secretmem page (no access for the kernel), a page under a write-disabled
 * protection key (read only), and a "flaky" page that another thread keeps
 * unmapping and mapping again. The model predicts every outcome: EINVAL
 * first (all validation before memory), then faults (EFAULT, or EAGAIN if
 * every faulting operand expected it), else the ops applied to shadow
 * copies. A vector touching the flaky page may run or fault; only EINVAL
 * is predicted for it, and the shadows are taken afresh after it.
 */
#define FZ_ARENA_PAGES	4
#define FZ_NREG		8

enum fz_access { FZ_OK, FZ_FAULT, FZ_FLAKY };
enum fz_region_id { FZ_ARENA, FZ_GUARD, FZ_RO, FZ_HOLE, FZ_FILE, FZ_SECRET, FZ_PKEY,
		    FZ_FLAKY_PAGE };

struct fz_region {
	const char *name;
	char *base;
	size_t len;
	bool readable, writable, flaky;
	char *shadow;		/* the model's copy of a readable region */
	int weight;		/* percent of operand addresses that land here */
};

struct fuzz {
	struct fz_region reg[FZ_NREG];
	atomic_bool stop;
	atomic_long flips;
	pthread_t flaker;
};

/* Kernel addresses (EINVAL) and NULL take what the weights leave. */
static char *fz_addr(struct fuzz *fz, bool *kaddr)
{
	int r = (int)(rnd() % 100), i;

	*kaddr = false;
	for (i = 0; i < FZ_NREG; i++) {
		struct fz_region *g = &fz->reg[i];

		if (r < g->weight)
			return g->base + rnd() % (i == FZ_HOLE ? 64 : g->len);
		r -= g->weight;
	}
	if (r < 3) {
		*kaddr = true;
		return (char *)(uintptr_t)kernel_addrs[rnd() % CPU_OPV_ARRAY_SIZE(kernel_addrs)];
	}
	return NULL;
}

static struct fz_region *fz_region_of(struct fuzz *fz, const char *p)
{
	for (int i = 0; i < FZ_NREG; i++)
		if (p >= fz->reg[i].base && p < fz->reg[i].base + fz->reg[i].len)
			return &fz->reg[i];
	return NULL;
}

/* Can [p, p+len) be read / written? What follows every region faults. */
static enum fz_access fz_ok(struct fuzz *fz, const char *p, unsigned int len, bool write)
{
	struct fz_region *g;

	if (!len)
		return FZ_OK;
	g = fz_region_of(fz, p);
	if (!g)
		return FZ_FAULT;
	if (g->flaky)
		return FZ_FLAKY;
	if (p + len > g->base + g->len)
		return FZ_FAULT;
	return g->readable && (!write || g->writable) ? FZ_OK : FZ_FAULT;
}

static char *fz_shadow(struct fuzz *fz, char *p)
{
	struct fz_region *g = fz_region_of(fz, p);

	return g->shadow + (p - g->base);
}

static void fz_take_shadows(struct fuzz *fz)
{
	for (int i = 0; i < FZ_NREG; i++)
		if (fz->reg[i].shadow)
			memcpy(fz->reg[i].shadow, fz->reg[i].base, fz->reg[i].len);
}

/* The first modelled region whose memory differs from its shadow, or NULL. */
static struct fz_region *fz_diverged(struct fuzz *fz, long *at)
{
	for (int i = 0; i < FZ_NREG; i++) {
		struct fz_region *g = &fz->reg[i];

		if (!g->shadow || !memcmp(g->shadow, g->base, g->len))
			continue;
		for (*at = 0; g->shadow[*at] == g->base[*at]; (*at)++)
			;
		return g;
	}
	return NULL;
}

static unsigned int fz_len(int type)
{
	unsigned int r = rnd() % 100;

	if (type == CPU_ADD_OP || type == CPU_ADD_RELEASE_OP) {
		static const unsigned int ok[] = { 1, 2, 4, 8 }, bad[] = { 0, 3, 16 };

		return r < 96 ? ok[rnd() % 4] : bad[rnd() % 3];
	}
	if (r < 40)
		return rnd() % 17;
	if (r < 80)
		return rnd() % 300;
	if (r < 97)
		return rnd() % 4097;
	return 4097 + rnd() % 100;
}

struct fz_pred {
	int ret;		/* >= 0: this value; < 0: -errno */
	int alt_errno;		/* also acceptable (mixed faults), or 0 */
	bool flaky;		/* touches the flaky page: any run or fault */
};

/* Predict a valid-args vector's outcome, applying it to the shadows. */
static struct fz_pred fz_predict(struct fuzz *fz, struct cpu_op *v, int cnt,
				 const bool *kaddr)
{
	struct fz_pred pred = { 0 };
	unsigned int sum = 0;
	bool faults = false, all_expected = true, any_expected = false;
	int i;

	for (i = 0; i < cnt; i++) {
		struct cpu_op *o = &v[i];
		bool arith = o->op == CPU_ADD_OP || o->op == CPU_ADD_RELEASE_OP;

		if (o->op < 0 || o->op >= NR_CPU_OPS || kaddr[i])
			goto einval;
		if (arith ? !(o->len == 1 || o->len == 2 || o->len == 4 || o->len == 8) :
			    o->len > CPU_OP_DATA_LEN_MAX)
			goto einval;
		sum += o->len;
	}
	if (sum > CPU_OP_VEC_DATA_LEN_MAX)
		goto einval;

	for (i = 0; i < cnt; i++) {
		struct cpu_op *o = &v[i];
		char *a = (char *)(uintptr_t)o->u.compare_op.a;
		char *b = (char *)(uintptr_t)o->u.compare_op.b;
		enum fz_access fa, fb;
		uint8_t ea, eb;

		switch (o->op) {
		case CPU_COMPARE_EQ_OP: case CPU_COMPARE_NE_OP:
			fa = fz_ok(fz, a, o->len, false);
			fb = fz_ok(fz, b, o->len, false);
			ea = o->u.compare_op.expect_fault_a;
			eb = o->u.compare_op.expect_fault_b;
			break;
		case CPU_MEMCPY_OP: case CPU_MEMCPY_RELEASE_OP:
			fa = fz_ok(fz, a, o->len, true);	/* dst */
			fb = fz_ok(fz, b, o->len, false);	/* src */
			ea = o->u.memcpy_op.expect_fault_dst;
			eb = o->u.memcpy_op.expect_fault_src;
			break;
		default:
			fa = fz_ok(fz, (char *)(uintptr_t)o->u.arithmetic_op.p, o->len, true);
			fb = FZ_OK;
			ea = o->u.arithmetic_op.expect_fault_p;
			eb = 0;
			break;
		}
		if (fa == FZ_FLAKY || fb == FZ_FLAKY)
			pred.flaky = true;
		if (fa == FZ_FAULT) {
			faults = true;
			all_expected &= !!ea;
			any_expected |= !!ea;
		}
		if (fb == FZ_FAULT) {
			faults = true;
			all_expected &= !!eb;
			any_expected |= !!eb;
		}
	}
	if (pred.flaky)
		return pred;
	if (faults) {
		pred.ret = all_expected ? -EAGAIN : -EFAULT;
		if (any_expected && !all_expected)
			pred.alt_errno = EAGAIN;
		return pred;
	}

	for (i = 0; i < cnt; i++) {
		struct cpu_op *o = &v[i];
		char *a = (char *)(uintptr_t)o->u.compare_op.a;
		char *b = (char *)(uintptr_t)o->u.compare_op.b;
		int d;

		switch (o->op) {
		case CPU_COMPARE_EQ_OP: case CPU_COMPARE_NE_OP:
			d = o->len ? memcmp(fz_shadow(fz, a), fz_shadow(fz, b), o->len) : 0;
			if ((o->op == CPU_COMPARE_EQ_OP) != (d == 0)) {
				pred.ret = i + 1;
				return pred;
			}
			break;
		case CPU_MEMCPY_OP: case CPU_MEMCPY_RELEASE_OP:
			if (!o->len)
				break;
			/* overlapping copies have memmove semantics */
			memmove(fz_shadow(fz, a), fz_shadow(fz, b), o->len);
			break;
		default: {
			char *p = fz_shadow(fz, (char *)(uintptr_t)o->u.arithmetic_op.p);

			store_n(p, add_expect(load_n(p, o->len), o->u.arithmetic_op.count,
					      o->len), o->len);
			break;
		}
		}
	}
	return pred;
einval:
	pred.ret = -EINVAL;
	return pred;
}

static const char *fz_where(struct fuzz *fz, uint64_t addr)
{
	struct fz_region *g = fz_region_of(fz, (char *)(uintptr_t)addr);

	return g ? sfmt("%s+%ld", g->name, (long)((char *)(uintptr_t)addr - g->base)) :
		   sfmt("0x%" PRIx64, addr);
}

static void fz_dump(struct fuzz *fz, struct cpu_op *v, int cnt)
{
	int i;

	for (i = 0; i < cnt && i < 4; i++)
		diag("    op[%d] type %d len %u a/dst/p %s b/src %s count %" PRId64
		     " ef %d/%d", i, v[i].op, v[i].len, fz_where(fz, v[i].u.compare_op.a),
		     fz_where(fz, v[i].u.compare_op.b), v[i].u.arithmetic_op.count,
		     v[i].u.compare_op.expect_fault_a, v[i].u.compare_op.expect_fault_b);
}

static struct cpu_op fz_op(struct fuzz *fz, bool *kaddr)
{
	int r = (int)(rnd() % 100);
	int type = r < 96 ? (int)(rnd() % NR_CPU_OPS) :
		   (r < 98 ? NR_CPU_OPS + (int)(rnd() % 3) : -1);
	int known = type < 0 || type >= NR_CPU_OPS ? CPU_MEMCPY_OP : type;
	unsigned int len = fz_len(known);
	bool ka, kb = false;
	char *a = fz_addr(fz, &ka), *b = NULL;
	struct cpu_op o;

	if (known == CPU_ADD_OP || known == CPU_ADD_RELEASE_OP) {
		static const int64_t counts[] = { 1, -1, 0x7f, INT64_MIN, INT64_MAX,
						  0x100000001LL };
		int64_t k = rnd() & 1 ? (int64_t)rnd() : counts[rnd() % 6];

		o = cpu_op_arith(type, a, k, len);
		o.u.arithmetic_op.expect_fault_p = rnd() % 3 == 0;
	} else {
		b = fz_addr(fz, &kb);
		o = known <= CPU_COMPARE_NE_OP ? cpu_op_cmp(type, a, b, len) :
						 cpu_op_copy(type, a, b, len);
		/* compare: often make the operands equal so vectors go on */
		if (known <= CPU_COMPARE_NE_OP && !ka && !kb && rnd() % 2 &&
		    fz_ok(fz, a, len, false) == FZ_OK && fz_ok(fz, b, len, true) == FZ_OK &&
		    len)
			memcpy(b, a, len);
		o.u.compare_op.expect_fault_a = rnd() % 3 == 0;
		o.u.compare_op.expect_fault_b = rnd() % 3 == 0;
	}
	o.op = type;
	*kaddr = ka || kb;
	return o;
}

/* The flaky page comes and goes, as freed list nodes do under a popper. */
static void *fz_flaker_fn(void *arg)
{
	struct fuzz *fz = arg;
	char *p = fz->reg[FZ_FLAKY_PAGE].base;

	while (!atomic_load(&fz->stop)) {
		munmap(p, page_sz);
		sched_yield();
		if (mmap(p, page_sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == p)
			memset(p, 0x3c, 64);
		if (atomic_fetch_add(&fz->flips, 1) % 4 == 3)
			mprotect(p, page_sz, PROT_READ);
		sched_yield();
	}
	return NULL;
}

/* A page of the given kind at @p (one page, already mapped RW there). */
static void fz_make_file_page(char *p)
{
	int fd = make_file(O_RDWR);

	if (fd < 0 || mmap(p, page_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			   fd, 0) != p)
		FAIL("shared file page for the fuzz: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	tmpfile_cleanup();	/* the mapping keeps the file */
}

static bool fz_make_secret_page(char *p)
{
	int fd = (int)syscall(SYS_memfd_secret, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = !ftruncate(fd, (off_t)page_sz) &&
	     mmap(p, page_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == p;
	close(fd);
	if (ok)
		memset(p, 0x5e, page_sz);
	return ok;
}

static void fz_setup(struct fuzz *fz)
{
	char *base = map_then_hole(FZ_ARENA_PAGES + 2);
	int pkey;

	memset(fz, 0, sizeof(*fz));
	fz->reg[FZ_ARENA] = (struct fz_region){ "arena", base, FZ_ARENA_PAGES * page_sz,
						true, true, false, NULL, 66 };
	fz->reg[FZ_GUARD] = (struct fz_region){ "guard", base + FZ_ARENA_PAGES * page_sz,
						page_sz, false, false, false, NULL, 5 };
	fz->reg[FZ_RO] = (struct fz_region){ "ro", fz->reg[FZ_GUARD].base + page_sz, page_sz,
					     true, false, false, NULL, 5 };
	fz->reg[FZ_HOLE] = (struct fz_region){ "hole", fz->reg[FZ_RO].base + page_sz, page_sz,
					       false, false, false, NULL, 3 };
	fz->reg[FZ_FILE] = (struct fz_region){ "file", map_then_hole(1), page_sz, true, true,
					       false, NULL, 5 };
	fz->reg[FZ_SECRET] = (struct fz_region){ "secret", map_then_hole(1), page_sz, false,
						 false, false, NULL, 3 };
	fz->reg[FZ_PKEY] = (struct fz_region){ "pkey", map_then_hole(1), page_sz, true, false,
					       false, NULL, 4 };
	fz->reg[FZ_FLAKY_PAGE] = (struct fz_region){ "flaky", map_then_hole(1), page_sz,
						     false, false, true, NULL, 3 };

	fill_pattern(fz->reg[FZ_ARENA].base, fz->reg[FZ_ARENA].len, 2);
	mprotect(fz->reg[FZ_GUARD].base, page_sz, PROT_NONE);
	fill_pattern(fz->reg[FZ_RO].base, page_sz, 1);
	mprotect(fz->reg[FZ_RO].base, page_sz, PROT_READ);
	fz_make_file_page(fz->reg[FZ_FILE].base);
	fill_pattern(fz->reg[FZ_FILE].base, page_sz, 3);
	if (!fz_make_secret_page(fz->reg[FZ_SECRET].base)) {
		CHECK(!in_vm, "memfd_secret for the fuzz: %s", strerror(errno));
		mprotect(fz->reg[FZ_SECRET].base, page_sz, PROT_NONE);
	}
	fill_pattern(fz->reg[FZ_PKEY].base, page_sz, 5);
	pkey = pkey_alloc(0, PKEY_DISABLE_WRITE);
	if (pkey < 0 || pkey_mprotect(fz->reg[FZ_PKEY].base, page_sz,
				      PROT_READ | PROT_WRITE, pkey)) {
		CHECK(!in_vm, "protection key for the fuzz: %s", strerror(errno));
		mprotect(fz->reg[FZ_PKEY].base, page_sz, PROT_READ);
	}
	for (int i = 0; i < FZ_NREG; i++)
		if (fz->reg[i].readable)
			fz->reg[i].shadow = malloc(fz->reg[i].len);
	fz_take_shadows(fz);
	pthread_create(&fz->flaker, NULL, fz_flaker_fn, fz);
}

static void fz_teardown(struct fuzz *fz)
{
	atomic_store(&fz->stop, true);
	pthread_join(fz->flaker, NULL);
	for (int i = 0; i < FZ_NREG; i++)
		free(fz->reg[i].shadow);
}

static int t_random_vectors(void)
{
	long n = env_long("CPU_OPV_FUZZ_VECTORS", scaled(10000)), i, shown = 0;
	struct fuzz fz;
	long stats[9] = { 0 };
	uint64_t x = 0;
	struct cpu_op good[1] = { op_add(&x, 5, 8) };
	cpu_set_t before, after;
	struct leak_sample s0, s1;
	bool pins_known;
	char secret_ref[64], ro_ref[64];

	fz_setup(&fz);
	memcpy(secret_ref, fz.reg[FZ_SECRET].base, sizeof(secret_ref));
	memcpy(ro_ref, fz.reg[FZ_RO].base, sizeof(ro_ref));
	unpin_self();
	sched_getaffinity(0, sizeof(before), &before);
	pins_known = leak_sample(&s0);
	diag("seed %" PRIu64 ", %ld vectors", seed, n);
	for (i = 0; i < n; i++) {
		struct cpu_op v[CPU_OP_VEC_LEN_MAX + 2];
		bool kaddr[CPU_OP_VEC_LEN_MAX + 2];
		struct cpu_opv_args args = { 0 };
		struct fz_pred pred = { 0 };
		int cnt = (int)(rnd() % (CPU_OP_VEC_LEN_MAX + 1)), j, r, e;
		unsigned int top = rnd() % 100;
		struct fz_region *g;
		long at;
		bool ok;

		for (j = 0; j < CPU_OP_VEC_LEN_MAX + 2; j++)
			v[j] = fz_op(&fz, &kaddr[j]);
		fz_take_shadows(&fz);
		args.cpuopv = (uintptr_t)v;
		args.cpuopcnt = cnt;
		args.cpu = allowed[rnd() % n_allowed];

		/* at most one thing wrong at the top level, so the answer is defined */
		if (top < 1) {
			args.flags = CPU_OP_NR_FLAG;
			pred.ret = NR_CPU_OPS;
		} else if (top < 2) {
			args.flags = 4 << (rnd() % 8);
			pred.ret = -EINVAL;
		} else if (top < 3) {
			args.reserved = 1 + (uint32_t)(rnd() % 1000);
			pred.ret = -EINVAL;
		} else if (top < 4) {
			args.cpuopcnt = rnd() & 1 ? -1 : CPU_OP_VEC_LEN_MAX + 1;
			pred.ret = -EINVAL;
		} else if (top < 5) {
			args.cpu = rnd() & 1 ? -1 : nr_cpu_ids_;
			pred.ret = -EINVAL;
		} else if (top < 6) {
			args.cpuopv = (uintptr_t)fz.reg[FZ_HOLE].base;
			args.cpuopcnt = 1 + (int)(rnd() % CPU_OP_VEC_LEN_MAX);
			pred.ret = -EFAULT;
		} else {
			pred = fz_predict(&fz, v, cnt, kaddr);
		}
		if (pred.ret < 0 || pred.ret == NR_CPU_OPS)
			fz_take_shadows(&fz);

		r = cpu_opv_args_exec(&args);
		e = errno;
		stats[r >= 0 ? (r > 5 ? 5 : r) : (e == EINVAL ? 6 : e == EFAULT ? 7 : 8)]++;
		if (pred.flaky)
			ok = (r >= 0 && r <= cnt) || (r == -1 && (e == EFAULT || e == EAGAIN));
		else
			ok = (pred.ret >= 0 && r == pred.ret) ||
			     (pred.ret < 0 && r == -1 && (e == -pred.ret || e == pred.alt_errno));
		if (!ok) {
			FAIL("vector %ld (cnt %d, cpu %d, flags 0x%x, reserved %u): want %s, "
			     "got %d %s", i, args.cpuopcnt, args.cpu, args.flags, args.reserved,
			     pred.flaky ? "a run or a fault" :
			     sfmt("%d %s", pred.ret < 0 ? -1 : pred.ret,
				  pred.ret < 0 ? errname(-pred.ret) : ""),
			     r, r < 0 ? errname(e) : "");
			if (shown++ < 5)
				fz_dump(&fz, v, cnt);
			continue;
		}
		if (pred.flaky)
			continue;
		g = fz_diverged(&fz, &at);
		if (g) {
			FAIL("vector %ld (ret %d): memory differs from the model at %s+%ld",
			     i, r, g->name, at);
			if (shown++ < 5)
				fz_dump(&fz, v, cnt);
		}
	}
	fz_teardown(&fz);
	diag("results: ret 0: %ld, 1: %ld, 2: %ld, 3: %ld, 4: %ld, 6: %ld, EINVAL %ld, "
	     "EFAULT %ld, EAGAIN %ld; the flaky page flipped %ld times", stats[0], stats[1],
	     stats[2], stats[3], stats[4], stats[5], stats[6], stats[7], stats[8],
	     atomic_load(&fz.flips));
	CHECK(!memcmp(fz.reg[FZ_RO].base, ro_ref, sizeof(ro_ref)) &&
	      !memcmp(fz.reg[FZ_RO].shadow, fz.reg[FZ_RO].base, page_sz),
	      "read-only page changed");
	CHECK(!memcmp(fz.reg[FZ_PKEY].shadow, fz.reg[FZ_PKEY].base, page_sz),
	      "the write-disabled pkey page changed");
	CHECK(!memcmp(fz.reg[FZ_SECRET].base, secret_ref, sizeof(secret_ref)) &&
	      first_not(fz.reg[FZ_SECRET].base, page_sz, fz.reg[FZ_SECRET].base[0]) < 0,
	      "the secret page changed");
	sched_getaffinity(0, sizeof(after), &after);
	CHECK(same_mask(&before, &after), "the caller's affinity mask changed");
	if (pins_known) {
		for (int tries = 0; tries < 10; tries++) {
			leak_sample(&s1);
			if (s1.pin_acq - s1.pin_rel == s0.pin_acq - s0.pin_rel)
				break;
			usleep(200000);
		}
		diag("pins acquired +%lld released +%lld", s1.pin_acq - s0.pin_acq,
		     s1.pin_rel - s0.pin_rel);
		CHECK(s1.pin_acq - s1.pin_rel == s0.pin_acq - s0.pin_rel,
		      "page pins not back to baseline: %lld outstanding, %lld before",
		      s1.pin_acq - s1.pin_rel, s0.pin_acq - s0.pin_rel);
	}
	for (i = 0; i < n_targets; i++) {
		x = 0;
		EXPECT("known-good vector after the random ones", cpu_opv(good, 1, tcpu(i), 0),
		       0);
		CHECK(x == 5, "known-good vector did not run");
	}
	return case_result();
}

/* ------------------------------------------------------------------ */
/* Module lifetime (only in the test VM) and leaks.                    */
/* ------------------------------------------------------------------ */

#define MODULE_NAME	"cpu_opv"

static int module_unload(void)
{
	return (int)syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK);
}

static int module_load(void)
{
	int fd = open(ko_path, O_RDONLY | O_CLOEXEC), r, e;

	if (fd < 0)
		return -1;
	r = (int)syscall(SYS_finit_module, fd, "", 0);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static bool module_loaded(void)
{
	return access("/sys/module/" MODULE_NAME, F_OK) == 0;
}

/* The device node shows up with the misc device; allow udev a moment if it is involved. */
static int open_device_wait(void)
{
	int i, fd = -1;

	for (i = 0; i < 200 && fd < 0; i++) {
		fd = open(CPU_OPV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			usleep(10000);
	}
	return fd;
}

static const char *module_skip_reason(void)
{
	if (!in_vm)
		return "module (un)loading only runs in the test VM (CPU_OPV_VM=1)";
	if (!ko_path || !*ko_path)
		return "CPU_OPV_KO not set";
	if (access(ko_path, R_OK))
		return "CPU_OPV_KO not readable";
	if (geteuid())
		return "module (un)loading needs root";
	return NULL;
}

/* Parent-side: whatever a module case did, leave the module loaded. */
static void module_cleanup(void)
{
	if (!module_skip_reason() && !module_loaded() && module_load())
		printf("# cleanup: re-insmod %s failed: %s\n", ko_path, strerror(errno));
}

static int t_rmmod_refused_while_open(void)
{
	const char *why = module_skip_reason();
	uint64_t x = 0;
	struct cpu_op v[1] = { op_add(&x, 1, 8) };
	int r, e;

	if (why)
		return skip("%s", why);
	if (cpu_opv_fd() < 0)
		return skip("cannot open the device: %s", strerror(errno));
	r = module_unload();
	e = errno;
	CHECK(r == -1, "rmmod " MODULE_NAME " succeeded with %s open", CPU_OPV_DEVICE_PATH);
	if (r == -1)
		diag("rmmod while open: %s (as it should)", errname(e));
	CHECK(r == -1 ? (e == EWOULDBLOCK || e == EBUSY) : true,
	      "rmmod while open failed with %s, want EBUSY/EWOULDBLOCK", errname(e));
	if (r == 0) {
		/* The fd outlived its module: do not touch it; reload for the rest. */
		module_load();
		return case_result();
	}
	EXPECT("the open fd still works after the refused rmmod", cpu_opv(v, 1, cpu_a, 0), 0);
	CHECK(x == 1, "call after refused rmmod did not run");
	cpu_opv_close();
	return case_result();
}

static int t_load_unload_loop(void)
{
	const char *why = module_skip_reason();
	long n = env_long("CPU_OPV_LOAD_LOOPS", 100), i;
	int fd;

	if (why)
		return skip("%s", why);
	cpu_opv_close();
	for (i = 0; i < n; i++) {
		struct cpu_opv_args q = { .cpu = -1, .flags = CPU_OP_NR_FLAG };
		uint64_t x = 0;
		struct cpu_op v[1] = { op_add(&x, 1, 8) };
		struct cpu_opv_args a = { .cpuopv = (uintptr_t)v, .cpuopcnt = 1, .cpu = cpu_a };

		if (module_unload()) {
			FAIL("iteration %ld: rmmod: %s", i, errname(errno));
			break;
		}
		fd = open(CPU_OPV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		CHECK(fd < 0, "iteration %ld: %s opens with the module unloaded", i,
		      CPU_OPV_DEVICE_PATH);
		if (fd >= 0)
			close(fd);
		if (module_load()) {
			FAIL("iteration %ld: insmod %s: %s", i, ko_path, errname(errno));
			break;
		}
		fd = open_device_wait();
		if (fd < 0) {
			FAIL("iteration %ld: no %s after insmod: %s", i, CPU_OPV_DEVICE_PATH,
			     errname(errno));
			break;
		}
		CHECK(ioctl(fd, CPU_OPV_IOC_EXEC, &q) == NR_CPU_OPS,
		      "iteration %ld: flag query after insmod failed", i);
		CHECK(ioctl(fd, CPU_OPV_IOC_EXEC, &a) == 0 && x == 1,
		      "iteration %ld: add after insmod failed", i);
		close(fd);
	}
	diag("%ld unload/load cycles", i);
	if (!module_loaded() && module_load())
		FAIL("final insmod: %s", errname(errno));
	CHECK(module_loaded(), "module not loaded at the end");
	fd = open_device_wait();
	CHECK(fd >= 0, "no device after the loop");
	if (fd >= 0)
		close(fd);
	return case_result();
}

static bool read_kv(const char *path, const char *key, long long *val)
{
	char line[256];
	size_t kl = strlen(key);
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && (line[kl] == ' ' || line[kl] == ':')) {
			*val = strtoll(line + kl + 1 + (line[kl] == ':'), NULL, 10);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

static bool leak_sample(struct leak_sample *s)
{
	/* fold the per-CPU vmstat deltas into the global counters first (root) */
	write_str("/proc/sys/vm/stat_refresh", "1");
	return read_kv("/proc/vmstat", "nr_foll_pin_acquired", &s->pin_acq) &&
	       read_kv("/proc/vmstat", "nr_foll_pin_released", &s->pin_rel) &&
	       read_kv("/proc/meminfo", "VmallocUsed", &s->vmalloc_kb);
}

/* One call of the mixed workload; returns false if it did not behave. */
static bool leak_call(long i, char *m, char *holed, char *ro)
{
	int remote = tcpu(i & 1);	/* alternately here and on the other CPU */
	uint64_t *c = (uint64_t *)m, one = 1, two = 2;
	char *hole = holed + page_sz;
	struct cpu_op v[4];
	int cnt = 1, want = 0;

	switch (i % 10) {
	case 0: case 1:
		v[0] = op_add(c, 1, 8);
		break;
	case 2:	/* 2-page operands on both sides */
		v[0] = op_memcpy(m + page_sz + 100, m + 3 * page_sz - 100, 4096);
		break;
	case 3:
		v[0] = op_cmp_eq(&one, &one, 8);
		v[1] = op_memcpy_rel(m + 64, m + 128, 64);
		v[2] = op_add(c, 1, 4);
		v[3] = op_add_rel(c + 1, 1, 8);
		cnt = 4;
		break;
	case 4:	/* three operands pinned, then the fourth faults */
		v[0] = op_memcpy(m + page_sz + 10, m + 3 * page_sz - 10, 4096);
		v[1] = op_add(c, 1, 8);
		v[2] = op_cmp_eq(m, m + 8, 8);
		v[3] = op_add(hole, 1, 8);
		cnt = 4;
		want = -EFAULT;
		break;
	case 5:
		v[0] = op_add(c, 1, 8);
		v[1] = op_memcpy(m + 64, hole - 4, 8);
		v[1].u.memcpy_op.expect_fault_src = 1;
		cnt = 2;
		want = -EAGAIN;
		break;
	case 6:
		v[0] = op_add(c, 1, 8);
		v[1] = op_add(c, 1, 3);
		cnt = 2;
		want = -EINVAL;
		break;
	case 7:
		v[0] = op_add(c, 1, 8);
		v[1] = op_memcpy(ro, m, 8);
		cnt = 2;
		want = -EFAULT;
		break;
	case 8:
		v[0] = op_add(c, 1, 8);
		v[1] = op_cmp_eq(&one, &two, 8);
		v[2] = op_add(c, 1, 8);
		cnt = 3;
		want = 2;
		break;
	default:
		v[0] = op_cmp_ne(m + page_sz - 8, m + 2 * page_sz - 8, 16);
		v[1] = op_memcpy(m + 2 * page_sz - 8, m + page_sz - 8, 16);
		cnt = 2;
		want = -1;	/* compare result depends on data: 0 or 1 */
		break;
	}
	{
		int r = cpu_opv(v, cnt, remote, 0), e = errno;

		if (want == -1)
			return r == 0 || r == 1;
		return want >= 0 ? r == want : r == -1 && e == -want;
	}
}

static int t_leak_check(void)
{
	long n = env_long("CPU_OPV_LEAK_CALLS", scaled(100000)), i, bad = 0;
	char *m = map_anon(4, PROT_READ | PROT_WRITE);
	char *holed = map_then_hole(1);
	char *ro = map_ro_page(1);
	struct leak_sample s0, s1;
	long long pins0, pins1;
	int tries;

	if (!leak_sample(&s0))
		return skip("no nr_foll_pin_* in /proc/vmstat");
	fill_pattern(m, 4 * page_sz, 4);
	/* warm up first: lazily allocated module/kernel state is not a leak */
	for (i = 0; i < 100; i++)
		leak_call(i, m, holed, ro);
	leak_sample(&s0);
	for (i = 0; i < n; i++)
		if (!leak_call(i, m, holed, ro) && bad++ < 5)
			FAIL("mixed call %ld (kind %ld) gave an unexpected result", i, i % 10);
	pins0 = s0.pin_acq - s0.pin_rel;
	for (tries = 0; tries < 10; tries++) {
		leak_sample(&s1);
		pins1 = s1.pin_acq - s1.pin_rel;
		if (pins1 == pins0 && s1.vmalloc_kb - s0.vmalloc_kb < 1024)
			break;
		usleep(200000);
	}
	diag("%ld calls: pins acquired +%lld released +%lld (outstanding %lld -> %lld), "
	     "VmallocUsed %lld -> %lld kB", n, s1.pin_acq - s0.pin_acq,
	     s1.pin_rel - s0.pin_rel, pins0, pins1, s0.vmalloc_kb, s1.vmalloc_kb);
	if (s1.pin_acq == s0.pin_acq)
		diag("note: no FOLL_PIN pins counted: the module does not use pin_user_pages, "
		     "so the pin balance says nothing");
	CHECK(pins1 == pins0, "page pins leaked: %lld outstanding after, %lld before",
	      pins1, pins0);
	CHECK(s1.vmalloc_kb - s0.vmalloc_kb < 1024, "VmallocUsed grew by %lld kB",
	      s1.vmalloc_kb - s0.vmalloc_kb);
	CHECK(!bad, "%ld of %ld mixed calls misbehaved", bad, n);
	return case_result();
}

/* ------------------------------------------------------------------ */
/* The runner.                                                         */
/* ------------------------------------------------------------------ */

struct test_case {
	const char *name;
	int (*fn)(void);
	void (*cleanup)(void);	/* run in the parent after the case, whatever happened */
};

#define CASE(n)		{ #n, t_##n, NULL }
#define CASE_C(n, c)	{ #n, t_##n, c }

static const struct test_case cases[] = {
	CASE(flags_nr_query),
	CASE(flags_vec_len_max_query),
	CASE(flags_query_ignores_args),
	CASE(flags_einval),
	CASE(zero_ops),
	CASE(cmp_eq_lengths),
	CASE(cmp_ne_lengths),
	CASE(memcpy_lengths),
	CASE(memcpy_release_lengths),
	CASE(add_lengths),
	CASE(add_release_lengths),
	CASE(unaligned_operands),
	CASE(page_straddling),
	CASE(vec4),
	CASE(failed_compare_index),
	CASE(zero_length_rules),
	CASE(einval_reserved),
	CASE(einval_cpu_negative),
	CASE(einval_cpu_too_large),
	CASE(einval_cpu_not_allowed),
	CASE(einval_cpuopcnt),
	CASE(einval_unknown_op),
	CASE(einval_bad_len),
	CASE(einval_sum_len),
	CASE(einval_kernel_address),
	CASE(einval_address_at_user_end),
	CASE(efault_unmapped_operand),
	CASE(efault_prot_none),
	CASE(efault_write_read_only),
	CASE(efault_io_mapping),
	CASE(vvar_read_only),
	CASE(efault_vector_unreadable),
	CASE(efault_null_args),
	CASE(enotty_unknown_cmd),
	CASE(efault_changes_nothing),
	CASE(eagain_expect_fault),
	CASE(local_cpu_runs),
	CASE(remote_cpu_runs),
	CASE(remote_cpu_gets_ipi),
	CASE(remote_atomic_vs_target_cpu),
	CASE_C(offline_cpu, offline_cleanup),
	CASE(fork_cow_child_write),
	CASE(fork_cow_parent_write),
	CASE(zero_page_cow),
	CASE(ro_anon_mapping),
	CASE_C(ro_file_mapping, tmpfile_cleanup),
	CASE_C(private_file_mapping_write, tmpfile_cleanup),
	CASE_C(shared_file_mapping_write, tmpfile_cleanup),
	CASE(concurrent_munmap),
	CASE(percpu_counter),
	CASE(percpu_spinlock),
	CASE(percpu_lifo),
	CASE(secretmem),
	CASE_C(hugetlb_1g, hugetlb_1g_cleanup),
	CASE_C(hugetlb_2m, hugetlb_2m_cleanup),
	CASE_C(numa_hint_read, numa_cleanup),
	CASE(interruptible),
	CASE(pkeys),
	CASE(errno_precedence),
	CASE(overlapping_memcpy),
	CASE(first_write_race),
	CASE(page_reuse),
	CASE(fork_race),
	CASE_C(random_vectors, tmpfile_cleanup),
	CASE_C(rmmod_refused_while_open, module_cleanup),
	CASE_C(load_unload_loop, module_cleanup),
	CASE(leak_check),
};

#define NR_CASES	CPU_OPV_ARRAY_SIZE(cases)

static bool selected(const char *name, int argc, char **argv)
{
	int i;

	if (argc == 0)
		return true;
	for (i = 0; i < argc; i++)
		if (!fnmatch(argv[i], name, 0))
			return true;
	return false;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_case(const struct test_case *tc, unsigned int idx, int num, long timeout)
{
	double t0 = now_s();
	pid_t pid;
	int st, rc;

	shm->skip_reason[0] = 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm((unsigned int)timeout);
		rng_state = seed * 2654435761u + idx + 1;
		unpin_self();	/* the whole mask: a case pins itself if it must */
		rc = tc->fn();
		fflush(stdout);
		_exit(rc);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		printf("not ok %d %s # fork/wait: %s\n", num, tc->name, strerror(errno));
		return KSFT_FAIL;
	}
	if (tc->cleanup)
		tc->cleanup();
	if (WIFSIGNALED(st)) {
		printf("# %s: killed by signal %d%s\n", tc->name, WTERMSIG(st),
		       WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
		rc = KSFT_FAIL;
	} else {
		rc = WEXITSTATUS(st);
	}
	printf("# %s: %.1f s\n", tc->name, now_s() - t0);
	if (rc == KSFT_PASS)
		printf("ok %d %s\n", num, tc->name);
	else if (rc == KSFT_SKIP)
		printf("ok %d %s # SKIP %s\n", num, tc->name, shm->skip_reason);
	else
		printf("not ok %d %s\n", num, tc->name);
	fflush(stdout);
	return rc == KSFT_PASS || rc == KSFT_SKIP ? rc : KSFT_FAIL;
}

static void usage(const char *prog)
{
	printf("usage: %s [-l] [case-pattern...]\n"
	       "  -l  list the cases\n"
	       "  patterns are fnmatch(3) globs on case names (default: all)\n", prog);
}

int main(int argc, char **argv)
{
	int npass = 0, nfail = 0, nskip = 0, num = 0, plan = 0, fd, rc;
	long timeout = env_long("CPU_OPV_CASE_TIMEOUT", 60);
	const char *sc = getenv("CPU_OPV_SCALE");
	size_t i;

	if (argc > 1 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < NR_CASES; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(argv[0]);
		return 0;
	}
	argc--;
	argv++;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_sz = sysconf(_SC_PAGESIZE);
	setup_cpus();
	if (sc && *sc)
		scale = strtod(sc, NULL);
	if (scale <= 0)
		scale = 1;
	in_vm = getenv("CPU_OPV_VM") && !strcmp(getenv("CPU_OPV_VM"), "1");
	ko_path = getenv("CPU_OPV_KO");
	seed = (uint64_t)env_long("CPU_OPV_SEED", (long)time(NULL));
	if (!seed)
		seed = 1;
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (shm == MAP_FAILED)
		return KSFT_FAIL;

	printf("TAP version 13\n");
	/* Probe with a plain open/close: the parent must not keep the module busy. */
	fd = open(CPU_OPV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
			printf("1..0 # SKIP %s not present\n", CPU_OPV_DEVICE_PATH);
		else
			printf("1..0 # SKIP cannot open %s: %s\n", CPU_OPV_DEVICE_PATH,
			       strerror(errno));
		return KSFT_SKIP;
	}
	close(fd);

	for (i = 0; i < NR_CASES; i++)
		plan += selected(cases[i].name, argc, argv);
	printf("1..%d\n", plan);
	printf("# cpus: nr_cpu_ids %d, allowed %d, local %d, remote %d; scale %g; seed %"
	       PRIu64 "; vm %d; kernel %s\n", nr_cpu_ids_, n_allowed, cpu_a, cpu_b, scale,
	       seed, in_vm, getenv("CPU_OPV_KERNEL") ? getenv("CPU_OPV_KERNEL") : "?");
	for (i = 0; i < NR_CASES; i++) {
		if (!selected(cases[i].name, argc, argv))
			continue;
		rc = run_case(&cases[i], (unsigned int)i, ++num, timeout);
		if (rc == KSFT_PASS)
			npass++;
		else if (rc == KSFT_SKIP)
			nskip++;
		else
			nfail++;
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n", npass, nfail,
	       nskip);
	if (nfail)
		return KSFT_FAIL;
	return npass ? KSFT_PASS : KSFT_SKIP;
}
