#!/usr/bin/env bash
# fuzz/triage.sh's classification (docs/FUZZING.md, "Long campaigns"): whose is a report? The
# innermost frame that is not the sanitizer, libFuzzer, an allocator or glibc decides. Reports
# trimmed from real artifacts of the results harness.
set -euo pipefail
cd "$(dirname "$0")/../.."
. fuzz/triage.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
expect() {  # NAME MODULE FRAME < report
  cat > "$t/$1"
  local m f
  m=$(innermost_module "$t/$1")
  f=$(innermost_frame "$t/$1")
  if [ "$m" != "$2" ] || [ "$f" != "$3" ]; then
    echo "FAIL $1: expected $2 / $3, found ${m:-nothing} / ${f:-nothing}"
    fail=1
  else
    echo "ok   $1: $m / $f"
  fi
}

# glibc aborts on "free(): invalid pointer" inside libhdf5: its frames (nptl, signal, stdlib,
# libio, malloc sources) are not the fault; libhdf5's is.
expect glibc_abort_in_hdf5 libhdf5 libhdf5_serial.so.103+0x122b0a <<'R'
free(): invalid pointer
==18810== ERROR: libFuzzer: deadly signal
    #0 0x560fcf3e0a34 in __sanitizer_print_stack_trace (/w/fuzz_results+0xbfa34)
    #1 0x560fcf3b7508 in fuzzer::PrintStackTrace() (/w/fuzz_results+0x96508)
    #2 0x560fcf39cdd3 in fuzzer::Fuzzer::CrashCallback() (/w/fuzz_results+0x7bdd3)
    #3 0x7f7bbf05a04f  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f)
    #4 0x7f7bbf0a8eeb in __pthread_kill_implementation nptl/./nptl/pthread_kill.c:43:17
    #5 0x7f7bbf059fb1 in raise signal/../sysdeps/posix/raise.c:26:13
    #6 0x7f7bbf044471 in abort stdlib/./stdlib/abort.c:79:7
    #7 0x7f7bbf09d42e in __libc_message libio/../sysdeps/posix/libc_fatal.c:156:5
    #8 0x7f7bbf0b2869 in malloc_printerr malloc/./malloc/malloc.c:5662:3
    #9 0x7f7bbf0b45f3 in _int_free malloc/./malloc/malloc.c:4435:5
    #10 0x7f7bbf0b6f5e in cfree malloc/./malloc/malloc.c:3385:7
    #11 0x7f7bbf922b0a  (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x122b0a)
    #12 0x7f7bbf9237ff in H5FL_blk_free (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x1237ff)
    #17 0x560fcf42316a in orgsim::h5::read_attr_string(long, char const*) /w/sim/io/hdf5.cpp:303:11
R

# An ASan report whose first frame past the allocator is libhdf5's.
expect asan_in_hdf5 libhdf5 H5VM_memcpyvv <<'R'
==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000010
READ of size 256 at 0x602000000010 thread T0
    #0 0x55d0c1 in __asan_memcpy (/w/fuzz_results+0x1a0c1)
    #1 0x7f12a0 in H5VM_memcpyvv (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x3a12a0)
    #2 0x7f11f0 in H5D__select_read (/lib/x86_64-linux-gnu/libhdf5_serial.so.103+0x1f11f0)
    #3 0x55e010 in orgsim::h5::read_column<double> /w/sim/io/hdf5.cpp:436:3
R

# A fault in orgsim's own code is orgsim's.
expect ubsan_in_orgsim orgsim orgsim::read_results <<'R'
==777==ERROR: UndefinedBehaviorSanitizer: SEGV on unknown address 0x000000000008
    #0 0x560fcf3ee6f7 in orgsim::read_results(std::string const&, bool) /w/sim/io/results_reader.cpp:129:30
    #1 0x560fcf3e227e in LLVMFuzzerTestOneInput /w/fuzz/fuzz_results.cpp:35:28
R

exit $fail
