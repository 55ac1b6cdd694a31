#pragma once
// Writing and reading orgsim results files (HDF5, layout in docs/HDF5_LAYOUT.md, derived from
// shared OUTPUT_LAYOUT.md). A file is written under "<final>.partial" and renamed into place only
// when complete, so a crash never leaves a half-written file under the final name.
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/layout.hpp"
#include "io/records.hpp"

namespace orgsim {

/// Runs handed to ResultsWriter::append without copying them: a list of records by address,
/// which iterates and indexes as records. Made from a vector of records (implicitly) or of
/// pointers to records that outlive the call.
class RunList {
 public:
  RunList(const std::vector<RunRecord>& runs) {  // NOLINT: implicit, as a vector converts
    p_.reserve(runs.size());
    for (const auto& r : runs) p_.push_back(&r);
  }
  explicit RunList(std::vector<const RunRecord*> runs) : p_(std::move(runs)) {}
  explicit RunList(const std::vector<std::shared_ptr<const RunRecord>>& runs) {
    p_.reserve(runs.size());
    for (const auto& r : runs) p_.push_back(r.get());
  }
  class iterator {
   public:
    explicit iterator(const RunRecord* const* it) : it_(it) {}
    const RunRecord& operator*() const { return **it_; }
    const RunRecord* operator->() const { return *it_; }
    iterator& operator++() {
      ++it_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return it_ != o.it_; }

   private:
    const RunRecord* const* it_;
  };
  iterator begin() const { return iterator(p_.data()); }
  iterator end() const { return iterator(p_.data() + p_.size()); }
  std::size_t size() const { return p_.size(); }
  bool empty() const { return p_.empty(); }
  const RunRecord& operator[](std::size_t i) const { return *p_[i]; }
  const RunRecord& front() const { return *p_.front(); }

 private:
  std::vector<const RunRecord*> p_;
};

/// Streams runs into a new file. Runs must be appended in increasing run order.
class ResultsWriter {
 public:
  /// Creates "<final_path>.partial". Throws RunError if it cannot. `deflate_level`: of every
  /// chunked dataset (shuffle + deflate); final files use the layout's level
  /// (layout::kDeflateLevel), sweep parts a faster one (layout::kPartDeflateLevel).
  ResultsWriter(std::string final_path, FileHeader header,
                int deflate_level = layout::kDeflateLevel);
  /// An in-memory file (HDF5 core driver, no backing store, no filters): the same layout, never
  /// on disk; after finish(), image() holds the file's bytes (what the Python module reads).
  /// `label` names it in error messages.
  struct InMemory {};
  ResultsWriter(InMemory, std::string label, FileHeader header);
  ~ResultsWriter();  // if finish() was not called: closes and deletes the partial file
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  void append(const std::vector<RunRecord>& runs) { append(RunList(runs)); }
  void append(const RunList& runs);
  /// At most this many threads compress the per-step series (default: the machine's cores, up
  /// to 8); a sweep passes its --threads.
  void set_threads(unsigned threads);
  /// The per-arm durability estimates to write at finish() (one entry per arm, in arm order).
  void set_durability(std::vector<ArmDurability> durability);
  /// The sweep's design (/design) and sensitivity indices (/sensitivity), written at finish().
  void set_design(DesignTable design);
  void set_sensitivity(SensitivityTable sensitivity);
  /// Writes /durability and the closing attributes (n_runs_done), closes, renames to final_path.
  void finish();
  /// The bytes of a finished in-memory file (std::logic_error otherwise).
  const std::vector<unsigned char>& image() const;

 private:
  ResultsWriter(std::string final_path, FileHeader header, int deflate_level, bool in_memory);
  struct Impl;
  Impl* impl_;
};

/// Whether `path` is an orgsim results file (HDF5 with the root attribute schema="orgsim.results");
/// false for anything else, never throws. Commands replace only such files without --force.
bool is_results_file(const std::string& path);
/// The root attribute `kind` of the results file at `path` ("run" or "sweep"); empty when `path`
/// is not a results file. Never throws.
std::string results_file_kind(const std::string& path);

/// Reads a results file. With `with_series` false the per-step series are checked but not read
/// (RunRecord::per_step stays empty): summaries of big sweeps need only per-run values.
ResultsFile read_results(const std::string& path, bool with_series = true);

}  // namespace orgsim
