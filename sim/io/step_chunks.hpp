#pragma once
// The per-step series of a results file (2-D float datasets, one row per run), written chunk by
// chunk by the writer itself instead of through HDF5's chunk cache and filter pipeline.
//
// Each dataset is chunked (R runs, n_steps) with shuffle + deflate (docs/HDF5_LAYOUT.md). The
// writer keeps one chunk row in memory per dataset, NaN (the fill value) where no run is yet;
// when the runs appended move past it, or at the end, it shuffles and deflates every dataset's
// chunk (the same bytes HDF5's own filters would produce and any HDF5 reader decodes) and hands
// them to H5Dwrite_chunk. Why (issue 8, bench/README.md): libdeflate compresses these series in
// about 60% of zlib's time at the same level, and the chunks of the ~40 datasets are independent,
// so they are compressed on several threads at once; only the HDF5 calls stay on the writer's
// thread. At the end of a sweep, the last chunk row is all that is left to do after the last run,
// and it is now spread over the cores.
#include <hdf5.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <thread>
#include <string>
#include <vector>

namespace orgsim {

namespace step_chunks_detail {
struct Compressor;
}

class StepChunks {
 public:
  /// `datasets`: the open per-step datasets (not owned), each chunked (chunk_rows, n_steps) with
  /// shuffle + deflate at `level` (level 0: no filters). `file` names the file in errors.
  StepChunks(std::vector<hid_t> datasets, std::vector<std::string> names, std::size_t chunk_rows,
             std::size_t n_steps, int level, std::string file);
  ~StepChunks();
  StepChunks(const StepChunks&) = delete;
  StepChunks& operator=(const StepChunks&) = delete;

  /// Where run row `row` (0-based, rows arrive in increasing order) of dataset `d` goes: n_steps
  /// floats to fill. Moving to a new chunk row first writes the current one (a RunError if HDF5
  /// or the compression fails). The datasets' extent must already cover `row`.
  float* row(std::size_t d, std::size_t row);
  /// Writes the chunk row in progress, if any (the last, possibly partial one).
  void flush();
  /// At most this many threads compress a chunk row (default: the machine's cores, up to 8).
  void set_threads(unsigned threads);

  /// The chunk of one dataset, shuffled and deflated as HDF5's filters `shuffle` (element size
  /// 4) then `deflate` at `level` would leave it (level 0: unchanged). Exposed for the tests.
  static std::vector<unsigned char> encode(const float* values, std::size_t n, int level);

 private:
  void write_current();

  std::vector<hid_t> datasets_;
  std::vector<std::string> names_;
  std::size_t chunk_rows_, n_steps_;
  int level_;
  std::string file_;
  std::vector<std::vector<float>> buffers_;  // one chunk (chunk_rows × n_steps) per dataset
  unsigned threads_ = std::max(1u, std::thread::hardware_concurrency());
  long long current_ = -1;                   // the chunk row being filled, -1 before the first
  std::size_t filled_ = 0;                   // rows of it written (the rest is padded with NaN)
  // Kept from one chunk row to the next (no fresh memory, so no page faults, at every row): one
  // compressor and scratch buffer per compressing thread, the encoded chunk of each dataset.
  std::vector<std::unique_ptr<step_chunks_detail::Compressor>> compressors_;
  std::vector<std::vector<unsigned char>> scratch_, encoded_;
  std::vector<std::size_t> sizes_;  // of each dataset's encoded chunk
};

}  // namespace orgsim
