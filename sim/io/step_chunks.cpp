#include "io/step_chunks.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <atomic>
#include <bit>
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

// The chunks are filled with the in-memory floats as they are, stored as little-endian IEEE
// (H5T_IEEE_F32LE): HDF5's conversion is bypassed.
static_assert(std::endian::native == std::endian::little,
              "step_chunks writes native floats as little-endian chunks");

namespace {

// At most this many threads compress a chunk row (one dataset's chunk per task).
constexpr unsigned kMaxCompressThreads = 8;

}  // namespace

namespace step_chunks_detail {
struct Compressor {
  libdeflate_compressor* c = nullptr;
  explicit Compressor(int level) : c(libdeflate_alloc_compressor(level)) {
    if (!c) throw std::bad_alloc();
  }
  ~Compressor() { libdeflate_free_compressor(c); }
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;
};
}  // namespace step_chunks_detail

namespace {
using step_chunks_detail::Compressor;

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

/// shuffle + deflate (zlib stream, as HDF5's deflate filter writes it) of n floats into `out`
/// (grown as needed, never shrunk); returns the encoded size.
std::size_t encode_into(const float* values, std::size_t n, Compressor* comp,
                        std::vector<unsigned char>& scratch, std::vector<unsigned char>& out) {
  const std::size_t bytes = n * sizeof(float);
  if (!comp) {  // no filters
    if (out.size() < bytes) out.resize(bytes);
    std::memcpy(out.data(), values, bytes);
    return bytes;
  }
  if (scratch.size() < bytes) scratch.resize(bytes);
  shuffle4(values, n, scratch.data());
  const std::size_t bound = libdeflate_zlib_compress_bound(comp->c, bytes);
  if (out.size() < bound) out.resize(bound);
  const std::size_t size =
      libdeflate_zlib_compress(comp->c, scratch.data(), bytes, out.data(), out.size());
  if (size == 0) throw std::logic_error("step chunks: deflate output larger than its bound");
  return size;
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
    if (buffers_.empty()) buffers_.assign(datasets_.size(), std::vector<float>(chunk_rows_ * n_steps_));
    current_ = chunk;
    filled_ = 0;
  }
  const std::size_t r = row % chunk_rows_;
  filled_ = std::max(filled_, r + 1);
  return buffers_[d].data() + r * n_steps_;
}

void StepChunks::flush() {
  write_current();
  current_ = -1;
}

std::vector<unsigned char> StepChunks::encode(const float* values, std::size_t n, int level) {
  std::vector<unsigned char> scratch, out;
  std::size_t size = 0;
  if (level == 0) {
    size = encode_into(values, n, nullptr, scratch, out);
  } else {
    Compressor c(level);
    size = encode_into(values, n, &c, scratch, out);
  }
  out.resize(size);
  return out;
}

void StepChunks::set_threads(unsigned threads) { threads_ = std::max(1u, threads); }

void StepChunks::write_current() {
  if (current_ < 0) return;
  const std::size_t n_sets = datasets_.size();
  const std::size_t n = chunk_rows_ * n_steps_;
  // Rows no run reached (the last chunk row of a file) hold the fill value, NaN.
  for (auto& b : buffers_)
    std::fill(b.begin() + static_cast<std::ptrdiff_t>(filled_ * n_steps_), b.end(),
              std::numeric_limits<float>::quiet_NaN());
  const auto n_threads = static_cast<unsigned>(std::min<std::size_t>(
      {n_sets, static_cast<std::size_t>(threads_), static_cast<std::size_t>(kMaxCompressThreads)}));
  // The datasets go in groups of a few per thread: each group's chunks are compressed at once
  // (no HDF5 calls on those threads), then written. The encoded chunks held at a time are one
  // group's, not every dataset's.
  const std::size_t group = std::max<std::size_t>(1, 4 * n_threads);
  try {
    if (compressors_.size() < n_threads) {
      compressors_.resize(n_threads);
      scratch_.resize(n_threads);
    }
    for (auto& c : compressors_)
      if (!c && level_ > 0) c = std::make_unique<Compressor>(level_);
    encoded_.resize(std::min(group, n_sets));
    sizes_.assign(encoded_.size(), 0);
  } catch (const std::exception& e) {
    throw RunError("results file '" + file_ + "': cannot compress the series: " + e.what());
  }
  const hsize_t offset[2] = {static_cast<hsize_t>(current_) * chunk_rows_, 0};
  for (std::size_t first = 0; first < n_sets; first += group) {
    const std::size_t count = std::min(group, n_sets - first);
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mu;
    auto work = [&](unsigned slot) {
      try {
        for (std::size_t k = next++; k < count; k = next++)
          sizes_[k] = encode_into(buffers_[first + k].data(), n, compressors_[slot].get(),
                                  scratch_[slot], encoded_[k]);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!error) error = std::current_exception();
        next = count;  // the others stop at their next chunk
      }
    };
    {
      // Joins whatever threads started, also when starting one more fails.
      std::vector<std::thread> pool;
      struct Join {
        std::vector<std::thread>& pool;
        ~Join() {
          for (auto& t : pool) t.join();
        }
      } join{pool};
      try {
        for (unsigned t = 1; t < n_threads && t < count; ++t) pool.emplace_back(work, t);
      } catch (...) {  // no thread to spare: this one does the rest
      }
      work(0);
    }
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const RunError&) {
        throw;
      } catch (const std::exception& e) {
        throw RunError("results file '" + file_ + "': cannot compress the series: " + e.what());
      }
    }
    for (std::size_t k = 0; k < count; ++k)
      h5::check(H5Dwrite_chunk(datasets_[first + k], H5P_DEFAULT, 0, offset, sizes_[k],
                               encoded_[k].data()),
                file_, "write a chunk of dataset '" + names_[first + k] + "'");
  }
  current_ = -1;
}

}  // namespace orgsim
