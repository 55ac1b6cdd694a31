#include "io/step_chunks.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "core/errors.hpp"
#include "io/hdf5.hpp"

namespace orgsim {

namespace {

// At most this many threads compress a chunk row (one dataset's chunk per task).
constexpr unsigned kMaxCompressThreads = 8;

struct Compressor {
  libdeflate_compressor* c = nullptr;
  explicit Compressor(int level) : c(libdeflate_alloc_compressor(level)) {
    if (!c) throw std::bad_alloc();
  }
  ~Compressor() { libdeflate_free_compressor(c); }
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;
};

/// HDF5's shuffle filter for 4-byte elements: byte k of element e goes to k * n + e.
void shuffle4(const float* values, std::size_t n, unsigned char* out) {
  const auto* in = reinterpret_cast<const unsigned char*>(values);
  for (std::size_t e = 0; e < n; ++e) {
    out[e] = in[4 * e];
    out[n + e] = in[4 * e + 1];
    out[2 * n + e] = in[4 * e + 2];
    out[3 * n + e] = in[4 * e + 3];
  }
}

/// shuffle + deflate (zlib stream, as HDF5's deflate filter writes it) of n floats into `out`.
void encode_into(const float* values, std::size_t n, Compressor* comp,
                 std::vector<unsigned char>& scratch, std::vector<unsigned char>& out) {
  const std::size_t bytes = n * sizeof(float);
  if (!comp) {  // no filters
    out.resize(bytes);
    std::memcpy(out.data(), values, bytes);
    return;
  }
  scratch.resize(bytes);
  shuffle4(values, n, scratch.data());
  out.resize(libdeflate_zlib_compress_bound(comp->c, bytes));
  const std::size_t size =
      libdeflate_zlib_compress(comp->c, scratch.data(), bytes, out.data(), out.size());
  if (size == 0) throw std::logic_error("step chunks: deflate output larger than its bound");
  out.resize(size);
}

}  // namespace

StepChunks::StepChunks(std::vector<hid_t> datasets, std::vector<std::string> names,
                       std::size_t chunk_rows, std::size_t n_steps, int level, std::string file)
    : datasets_(std::move(datasets)),
      names_(std::move(names)),
      chunk_rows_(chunk_rows),
      n_steps_(n_steps),
      level_(level),
      file_(std::move(file)) {
  if (datasets_.size() != names_.size() || chunk_rows_ == 0 || n_steps_ == 0 || level_ < 0 ||
      level_ > 9)
    throw std::invalid_argument("step chunks: bad shape");
}

StepChunks::~StepChunks() = default;

float* StepChunks::row(std::size_t d, std::size_t row) {
  const auto chunk = static_cast<long long>(row / chunk_rows_);
  if (chunk != current_) {
    if (chunk < current_) throw std::logic_error("step chunks: rows must arrive in order");
    write_current();
    if (buffers_.empty()) buffers_.resize(datasets_.size());
    for (auto& b : buffers_)
      b.assign(chunk_rows_ * n_steps_, std::numeric_limits<float>::quiet_NaN());
    current_ = chunk;
  }
  return buffers_[d].data() + (row % chunk_rows_) * n_steps_;
}

void StepChunks::flush() {
  write_current();
  current_ = -1;
}

std::vector<unsigned char> StepChunks::encode(const float* values, std::size_t n, int level) {
  std::vector<unsigned char> scratch, out;
  if (level == 0) {
    encode_into(values, n, nullptr, scratch, out);
  } else {
    Compressor c(level);
    encode_into(values, n, &c, scratch, out);
  }
  return out;
}

void StepChunks::write_current() {
  if (current_ < 0) return;
  const std::size_t n_sets = datasets_.size();
  const std::size_t n = chunk_rows_ * n_steps_;
  std::vector<std::vector<unsigned char>> encoded(n_sets);
  // Compress the datasets' chunks on up to kMaxCompressThreads threads (no HDF5 calls there).
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const auto n_threads = static_cast<unsigned>(
      std::min<std::size_t>({n_sets, static_cast<std::size_t>(std::min(hw, kMaxCompressThreads))}));
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mu;
  auto work = [&] {
    try {
      std::unique_ptr<Compressor> comp;
      if (level_ > 0) comp = std::make_unique<Compressor>(level_);
      std::vector<unsigned char> scratch;
      for (std::size_t d = next++; d < n_sets; d = next++)
        encode_into(buffers_[d].data(), n, comp.get(), scratch, encoded[d]);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mu);
      if (!error) error = std::current_exception();
    }
  };
  if (n_threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < n_threads; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);
  const hsize_t offset[2] = {static_cast<hsize_t>(current_) * chunk_rows_, 0};
  for (std::size_t d = 0; d < n_sets; ++d)
    h5::check(H5Dwrite_chunk(datasets_[d], H5P_DEFAULT, 0, offset, encoded[d].size(),
                             encoded[d].data()),
              file_, "write a chunk of dataset '" + names_[d] + "'");
  current_ = -1;
}

}  // namespace orgsim
