// SPDX-License-Identifier: GPL-2.0
/*
 * The interpreter: runs a validated vector whose operands are pinned and
 * reachable through kernel addresses. It is called with interrupts off on
 * the target CPU (locally, or in an IPI), so it must not sleep or fault,
 * and its work is bounded by the vector limits: 4 ops whose lengths sum to
 * at most 4120 bytes (a compare or copy touches both of its operands).
 *
 * An operand is naturally aligned for its size only when it lies in one
 * page, so aligned 1/2/4/8-byte accesses use one load or one store each
 * (single-copy atomic); everything else goes piece by piece.
 */
#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include "cpu_opv_internal.h"

/* Where byte @off of @s lives, and how many bytes follow it contiguously. */
static u8 *span_at(const struct cpu_opv_span *s, u32 off, u32 *avail)
{
	if (off < s->head_len) {
		*avail = s->head_len - off;
		return s->head + off;
	}
	*avail = s->len - off;
	return s->tail + (off - s->head_len);
}

/* One page-local piece, naturally aligned for a 1/2/4/8-byte access. */
static bool span_is_word(const struct cpu_opv_span *s, u32 len)
{
	switch (len) {
	case 1:
	case 2:
	case 4:
	case 8:
		return s->head_len == len &&
		       IS_ALIGNED((unsigned long)s->head, len);
	default:
		return false;
	}
}

static u64 load_word(const void *p, u32 len)
{
	switch (len) {
	case 1:
		return READ_ONCE(*(const u8 *)p);
	case 2:
		return READ_ONCE(*(const u16 *)p);
	case 4:
		return READ_ONCE(*(const u32 *)p);
	default:
		return READ_ONCE(*(const u64 *)p);
	}
}

static void store_word(void *p, u64 v, u32 len, bool release)
{
	if (release) {
		switch (len) {
		case 1:
			smp_store_release((u8 *)p, (u8)v);
			return;
		case 2:
			smp_store_release((u16 *)p, (u16)v);
			return;
		case 4:
			smp_store_release((u32 *)p, (u32)v);
			return;
		default:
			smp_store_release((u64 *)p, v);
			return;
		}
	}
	switch (len) {
	case 1:
		WRITE_ONCE(*(u8 *)p, (u8)v);
		return;
	case 2:
		WRITE_ONCE(*(u16 *)p, (u16)v);
		return;
	case 4:
		WRITE_ONCE(*(u32 *)p, (u32)v);
		return;
	default:
		WRITE_ONCE(*(u64 *)p, v);
		return;
	}
}

/* Returns true when the len bytes of a and b are equal. */
static bool op_equal(const struct cpu_opv_kop *k)
{
	u32 off = 0;

	if (span_is_word(&k->a, k->len) && span_is_word(&k->b, k->len))
		return load_word(k->a.head, k->len) ==
		       load_word(k->b.head, k->len);

	while (off < k->len) {
		u32 na, nb, n;
		const u8 *pa = span_at(&k->a, off, &na);
		const u8 *pb = span_at(&k->b, off, &nb);

		n = min(na, nb);
		if (memcmp(pa, pb, n))
			return false;
		off += n;
	}
	return true;
}

/* Where the byte before @end of @s lives, and how many precede it contiguously. */
static u8 *span_before(const struct cpu_opv_span *s, u32 end, u32 *avail)
{
	if (end > s->head_len) {
		*avail = end - s->head_len;
		return s->tail + (end - s->head_len);
	}
	*avail = end;
	return s->head + end;
}

/*
 * Piece by piece from the end, for a destination that overlaps the source
 * from above: each piece then reads source bytes no earlier piece wrote.
 */
static void copy_backward(const struct cpu_opv_kop *k)
{
	u32 end = k->len;

	while (end) {
		u32 nd, ns, n;
		u8 *pd = span_before(&k->a, end, &nd);
		const u8 *ps = span_before(&k->b, end, &ns);

		n = min(nd, ns);
		memmove(pd - n, ps - n, n);
		end -= n;
	}
}

static void op_memcpy(const struct cpu_opv_kop *k, bool release)
{
	u32 off = 0;

	if (span_is_word(&k->a, k->len) && span_is_word(&k->b, k->len)) {
		store_word(k->a.head, load_word(k->b.head, k->len), k->len,
			   release);
		return;
	}

	/* Order every earlier access before the copy's first store. */
	if (release)
		smp_mb();
	if (k->backward) {
		copy_backward(k);
		return;
	}
	while (off < k->len) {
		u32 nd, ns, n;
		u8 *pd = span_at(&k->a, off, &nd);
		const u8 *ps = span_at(&k->b, off, &ns);

		n = min(nd, ns);
		memmove(pd, ps, n);
		off += n;
	}
}

/* Unaligned add: assemble the integer byte by byte, in host byte order. */
static void op_add_bytes(const struct cpu_opv_kop *k, bool release)
{
	union {
		u64 v;
		u8 b[8];
	} acc = { .v = 0 }, sum;
	u32 i, avail;

	for (i = 0; i < k->len; i++)
		acc.b[i] = *span_at(&k->a, i, &avail);

	switch (k->len) {
	case 1:
		sum.v = (u8)(*(u8 *)acc.b + (u8)k->count);
		break;
	case 2:
		sum.v = (u16)(*(u16 *)acc.b + (u16)k->count);
		break;
	case 4:
		sum.v = (u32)(*(u32 *)acc.b + (u32)k->count);
		break;
	default:
		sum.v = acc.v + (u64)k->count;
		break;
	}

	if (release)
		smp_mb();
	for (i = 0; i < k->len; i++)
		*span_at(&k->a, i, &avail) = sum.b[i];
}

static void op_add(const struct cpu_opv_kop *k, bool release)
{
	if (span_is_word(&k->a, k->len)) {
		u64 v = load_word(k->a.head, k->len) + (u64)k->count;

		store_word(k->a.head, v, k->len, release);
		return;
	}
	op_add_bytes(k, release);
}

/* Returns 0 when every op ran, else 1 + the index of the failed compare. */
int cpu_opv_interpret(struct cpu_opv_vec *vec)
{
	int i;

	for (i = 0; i < vec->nr_ops; i++) {
		const struct cpu_opv_kop *k = &vec->kops[i];

		switch (k->type) {
		case CPU_COMPARE_EQ_OP:
			if (!op_equal(k))
				return i + 1;
			break;
		case CPU_COMPARE_NE_OP:
			if (op_equal(k))
				return i + 1;
			break;
		case CPU_MEMCPY_OP:
		case CPU_MEMCPY_RELEASE_OP:
			op_memcpy(k, k->type == CPU_MEMCPY_RELEASE_OP);
			break;
		case CPU_ADD_OP:
		case CPU_ADD_RELEASE_OP:
			op_add(k, k->type == CPU_ADD_RELEASE_OP);
			break;
		}
		/* Each op sees the previous one's effect, in program order. */
		barrier();
	}
	return 0;
}
