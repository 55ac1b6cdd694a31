// Results files (HDF5): the bytes are written to a temporary file and read back with
// read_results and the per-step series, as `orgsim rerun` and `merge` read them, then summarized
// as `orgsim summarize` does (the summary and the durability table).
#include <cstddef>
#include <cstdint>
#include <string>

#include <hdf5.h>

#include "engine/summary.hpp"
#include "fuzz_common.hpp"
#include "io/results_file.hpp"

using namespace orgsim;

// AddressSanitizer's defaults for this harness (ASAN_OPTIONS overrides them): no quarantine.
// Reading a results file allocates and frees some megabytes inside HDF5 (a metadata cache per
// open, buffers per dataset), and H5garbage_collect below hands HDF5's free lists back every
// input. With a quarantine (256 MB by default; 1 MB was already too much) freed memory is not
// reused, every allocation is fresh memory, and page faults and zero-filling took most of an
// execution: 190-300 ms per seed file, against 60-86 ms without (docs/FUZZING.md, second
// campaign of 2026-12-02). The cost: a use after free is caught only until the memory is
// allocated again. Every other harness keeps the quarantine, and
// ASAN_OPTIONS=quarantine_size_mb=256 brings it back here.
// Also: an allocation above 256 MB fails (returns NULL) instead of ending the run. A corrupt
// attribute or metadata length makes libhdf5 ask for gigabytes (H5T__conv_vlen from H5Aread, 4 GiB;
// H5C_protect, 2^40 bytes): glibc's malloc returns NULL for what it cannot map, or hands back
// untouched pages, and HDF5 fails the read, which orgsim reports as a damaged file; under
// libFuzzer the same input ended as an out-of-memory finding with no stack to tell it was HDF5's
// (fuzz/regressions/results/hdf5_attr_read_2gib_oom.h5.gz, CI of 2026-12-04). orgsim's own reads
// never allocate that much for a fuzz input (the seeds are 400 kB); one that did would get NULL
// from new and crash, still a finding.
extern "C" const char* __asan_default_options() {
  return "quarantine_size_mb=0:max_allocation_size_mb=256:allocator_may_return_null=1";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = fuzz::workdir() / "input.h5";
  fuzz::write_file(path, data, size);
  // One read with the series (what `rerun`, `merge` and `status` read; it checks and reads
  // everything the read without them does, and the series too), then what `summarize` makes of
  // the runs. Reading the file a second time without the series doubled the cost of an input for
  // one branch (docs/FUZZING.md, "Long campaigns").
  fuzz::expect_typed_errors("results", [&] {
    const ResultsFile rf = read_results(path.string(), /*with_series=*/true);
    (void)format_summary(summarize(rf.runs, rf.header.arm_names), "input.h5",
                         durability_by_arm(rf.runs, rf.header.arm_names, rf.header.n_steps));
  });
  // HDF5 keeps freed blocks on its own free lists; returning them makes every input's mallocs and
  // frees balance, so libFuzzer's leak check (a full LeakSanitizer scan whenever they do not)
  // runs only when something really was not freed.
  H5garbage_collect();
  return 0;
}
