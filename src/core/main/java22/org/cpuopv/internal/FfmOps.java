/*
 * Licensed under the Apache License, Version 2.0.
 */
package org.cpuopv.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The per-CPU operations as FFM downcalls into the {@code cpuopv_pc_*} functions of the
 * already loaded libcpuopv (the same C code the JNI layer calls).
 *
 * <p>Each operation is first a <em>critical</em> downcall ({@link Linker.Option#critical}: no
 * thread-state transition, no safepoint poll) with {@code CPUOPV_PC_NO_SYSCALL}, which makes
 * one rseq attempt on the current CPU and nothing else. A critical downcall holds off
 * safepoints (GC) while it runs, so it must not block; everything that may (more attempts,
 * cpu_opv, moving the thread to another CPU) is the second, ordinary downcall, made only when
 * the first was not decisive (aborted, another CPU wanted, no rseq: an answer below
 * {@link NativeCalls#PC_FAILED}, nothing changed). Nothing is allocated per call.
 *
 * <p>Pointers cross as {@code JAVA_LONG}: on x86-64 (the only platform the library is built
 * for) an address and a {@code long} are passed the same way, and the Java side holds raw
 * addresses anyway.
 */
final class FfmOps extends PerCpuOps {
    private static final MethodHandle ADD_FAST;
    private static final MethodHandle ADD;
    private static final MethodHandle CMPEQ_STORE_FAST;
    private static final MethodHandle CMPEQ_STORE;
    private static final MethodHandle LIST_PUSH_FAST;
    private static final MethodHandle LIST_PUSH;
    private static final MethodHandle LIST_POP_FAST;
    private static final MethodHandle LIST_POP;
    private static final MethodHandle STACK_PUSH_FAST;
    private static final MethodHandle STACK_PUSH;
    private static final MethodHandle STACK_POP_FAST;
    private static final MethodHandle STACK_POP;
    private static final MethodHandle RECORD_PUSH_FAST;
    private static final MethodHandle RECORD_PUSH;
    private static final MethodHandle RECORD_POP_FAST;
    private static final MethodHandle RECORD_POP;
    private static final MethodHandle RESERVE_FAST;
    private static final MethodHandle RESERVE;

    static {
        SymbolLookup lib = SymbolLookup.loaderLookup();
        MethodHandle[] h;
        // int cpuopv_pc_add(int64_t *word0, long stride, int64_t delta, int want, int flags)
        h = bind(lib, "cpuopv_pc_add", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT);
        ADD_FAST = h[0];
        ADD = h[1];
        // (int64_t *word0, long stride, int64_t expect, int64_t value, int want, int flags)
        h = bind(lib, "cpuopv_pc_cmpeq_store", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT);
        CMPEQ_STORE_FAST = h[0];
        CMPEQ_STORE = h[1];
        // (uint64_t *head0, long stride, uint64_t node, long next_offset, int want, int flags)
        h = bind(lib, "cpuopv_pc_list_push", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT);
        LIST_PUSH_FAST = h[0];
        LIST_PUSH = h[1];
        // (uint64_t *head0, long stride, long next_offset, int want, int flags, uint64_t *out)
        h = bind(lib, "cpuopv_pc_list_pop", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG);
        LIST_POP_FAST = h[0];
        LIST_POP = h[1];
        // (uint64_t *slot0, long stride, uint64_t capacity, int64_t value, int want, int flags)
        h = bind(lib, "cpuopv_pc_stack_push", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT);
        STACK_PUSH_FAST = h[0];
        STACK_PUSH = h[1];
        // (uint64_t *slot0, long stride, int want, int flags, int64_t *out)
        h = bind(lib, "cpuopv_pc_stack_pop", JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG);
        STACK_POP_FAST = h[0];
        STACK_POP = h[1];
        // (uint64_t *slot0, long stride, uint64_t capacity, long entry_size, const void *src,
        //  long len, int want, int flags)
        h = bind(lib, "cpuopv_pc_record_push", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_INT, JAVA_INT);
        RECORD_PUSH_FAST = h[0];
        RECORD_PUSH = h[1];
        // (uint64_t *slot0, long stride, long entry_size, void *dst, int want, int flags, int64_t *out_len)
        h = bind(lib, "cpuopv_pc_record_pop", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_LONG);
        RECORD_POP_FAST = h[0];
        RECORD_POP = h[1];
        // (uint64_t *slot0, long stride, long tail_offset, uint64_t capacity, int want, int flags,
        //  uint64_t *out)
        h = bind(lib, "cpuopv_pc_reserve", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_LONG);
        RESERVE_FAST = h[0];
        RESERVE = h[1];
    }

    /** Forces the binding above (throws what it threw): {@link Downcalls} decides with it. */
    static void ensureBound() {
        // the static initializer has run when this is reached
    }

    /**
     * @return {critical, ordinary} downcall handles of {@code int name(args...)}; restricted
     *         methods, used only once {@link Downcalls} saw that the module has native access
     *         (or was told to anyway)
     */
    @SuppressWarnings("restricted")
    private static MethodHandle[] bind(SymbolLookup lib, String name, MemoryLayout... args) {
        MemorySegment fn = lib.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("libcpuopv exports no " + name + " (a library older than this jar?)"));
        FunctionDescriptor fd = FunctionDescriptor.of(JAVA_INT, args);
        Linker linker = Linker.nativeLinker();
        return new MethodHandle[] {
            linker.downcallHandle(fn, fd, Linker.Option.critical(false)),
            linker.downcallHandle(fn, fd),
        };
    }

    private final int flags;
    private final int fastFlags;
    /** False where rseq is unavailable: every critical attempt would answer PC_SLOW. */
    private final boolean fastFirst;

    FfmOps(int flags) {
        this.flags = flags;
        this.fastFlags = flags | NativeCalls.PC_NO_SYSCALL;
        this.fastFirst = NativeCalls.rseqStatus() == 0;
    }

    /** @return the ordinary call's flags after the critical one answered {@code r} (undecided) */
    private int secondFlags(int r) {
        return r == NativeCalls.PC_ABORTED ? flags | NativeCalls.PC_AFTER_ABORT : flags;
    }

    /** @return what to throw for what a downcall threw (errors are rethrown as they are) */
    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException("downcall failed", t);
    }

    @Override
    public int add(long word0, long stride, long delta, int want) {
        try {
            int second = flags;
            if (fastFirst) {
                int r = (int) ADD_FAST.invokeExact(word0, stride, delta, want, fastFlags);
                if (r >= NativeCalls.PC_FAILED) {
                    return r;
                }
                second = secondFlags(r);
            }
            return (int) ADD.invokeExact(word0, stride, delta, want, second);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int cmpeqStore(long word0, long stride, long expect, long value, int want) {
        try {
            int second = flags;
            if (fastFirst) {
                int r = (int) CMPEQ_STORE_FAST.invokeExact(word0, stride, expect, value, want, fastFlags);
                if (r >= NativeCalls.PC_FAILED) {
                    return r;
                }
                second = secondFlags(r);
            }
            return (int) CMPEQ_STORE.invokeExact(word0, stride, expect, value, want, second);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int listPush(long head0, long stride, long node, long nextOffset, int want) {
        try {
            int second = flags;
            if (fastFirst) {
                int r = (int) LIST_PUSH_FAST.invokeExact(head0, stride, node, nextOffset, want, fastFlags);
                if (r >= NativeCalls.PC_FAILED) {
                    return r;
                }
                second = secondFlags(r);
            }
            return (int) LIST_PUSH.invokeExact(head0, stride, node, nextOffset, want, second);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int listPop(long head0, long stride, long nextOffset, int want, long out) {
        try {
            int second = flags;
            if (fastFirst) {
                int r = (int) LIST_POP_FAST.invokeExact(head0, stride, nextOffset, want, fastFlags, out);
                if (r >= NativeCalls.PC_FAILED) {
                    return r;
                }
                second = secondFlags(r);
            }
            return (int) LIST_POP.invokeExact(head0, stride, nextOffset, want, second, out);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int stackPush(long slot0, long stride, long capacity, long value, int want) {
        try {
            int second = flags;
            if (fastFirst) {
                int r = (int) STACK_PUSH_FAST.invokeExact(slot0, stride, capacity, value, want, fastFlags);
                if (r >= NativeCalls.PC_FAILED) {
                    return r;
                }
                second = secondFlags(r);
            }
            return (int) STACK_PUSH.invokeExact(slot0, stride, capacity, value, want, second);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int stackPop(long slot0, long stride, int want, long out) {
        try {
            int second = flags;
            if (fastFirst) {
                int r = (int) STACK_POP_FAST.invokeExact(slot0, stride, want, fastFlags, out);
                if (r >= NativeCalls.PC_FAILED) {
                    return r;
                }
                second = secondFlags(r);
            }
            return (int) STACK_POP.invokeExact(slot0, stride, want, second, out);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int recordPush(long slot0, long stride, long capacity, long entrySize, long src, long len,
            int want) {
        try {
            int second = flags;
            if (fastFirst) {
                int r = (int) RECORD_PUSH_FAST.invokeExact(slot0, stride, capacity, entrySize, src, len, want,
                        fastFlags);
                if (r >= NativeCalls.PC_FAILED) {
                    return r;
                }
                second = secondFlags(r);
            }
            return (int) RECORD_PUSH.invokeExact(slot0, stride, capacity, entrySize, src, len, want, second);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int recordPop(long slot0, long stride, long entrySize, long dst, int want, long outLen) {
        try {
            int second = flags;
            if (fastFirst) {
                int r = (int) RECORD_POP_FAST.invokeExact(slot0, stride, entrySize, dst, want, fastFlags, outLen);
                if (r >= NativeCalls.PC_FAILED) {
                    return r;
                }
                second = secondFlags(r);
            }
            return (int) RECORD_POP.invokeExact(slot0, stride, entrySize, dst, want, second, outLen);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    @Override
    public int reserve(long slot0, long stride, long tailOffset, long capacity, int want, long out) {
        try {
            int second = flags;
            if (fastFirst) {
                int r = (int) RESERVE_FAST.invokeExact(slot0, stride, tailOffset, capacity, want, fastFlags, out);
                if (r >= NativeCalls.PC_FAILED) {
                    return r;
                }
                second = secondFlags(r);
            }
            return (int) RESERVE.invokeExact(slot0, stride, tailOffset, capacity, want, second, out);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
