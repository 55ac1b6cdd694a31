#include "engine/record_codec.hpp"

#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace orgsim {

namespace {

static_assert(std::is_trivially_copyable_v<WinEvent> && std::is_trivially_copyable_v<ActionEvent>,
              "win and action events travel as their bytes");

constexpr std::uint32_t kMagic = 0x6f726731;  // "org1"

class Writer {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const char*>(&v);
    out.insert(out.end(), p, p + sizeof(T));
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    put<std::uint64_t>(v.size());
    const auto* p = reinterpret_cast<const char*>(v.data());
    out.insert(out.end(), p, p + v.size() * sizeof(T));
  }
  std::vector<char> out;
};

class Reader {
 public:
  Reader(const char* p, std::size_t n, const std::string& from) : p_(p), left_(n), from_(from) {}
  template <class T>
  T get() {
    T v;
    take(&v, sizeof(T));
    return v;
  }
  template <class T>
  void get_vector(std::vector<T>& v) {
    const auto n = get<std::uint64_t>();
    if (n > left_ / sizeof(T)) fail("a vector longer than the bytes left");
    v.resize(static_cast<std::size_t>(n));
    take(v.data(), v.size() * sizeof(T));
  }
  void get_string(std::string& s) {
    const auto n = get<std::uint64_t>();
    if (n > left_) fail("a string longer than the bytes left");
    s.assign(p_, static_cast<std::size_t>(n));
    p_ += n;
    left_ -= static_cast<std::size_t>(n);
  }
  std::size_t left() const { return left_; }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("a run received from " + from_ + " is damaged: " + what);
  }

 private:
  void take(void* dst, std::size_t n) {
    if (n > left_) fail("it ends early");
    if (n > 0) std::memcpy(dst, p_, n);
    p_ += n;
    left_ -= n;
  }
  const char* p_;
  std::size_t left_;
  const std::string& from_;
};

}  // namespace

std::vector<char> encode_run(const RunRecord& r) {
  Writer w;
  w.out.reserve(64 + r.per_step.size() * sizeof(float) + r.per_run.size() * sizeof(double) +
                r.params.size() * sizeof(double) + r.wins.size() * sizeof(WinEvent) +
                r.actions.size() * sizeof(ActionEvent) + r.message.size());
  w.put(kMagic);
  w.put(r.run);
  w.put(r.arm);
  w.put(r.replicate);
  w.put(r.point);
  w.put(r.seed);
  w.put(r.status);
  w.put(r.wall_seconds);
  w.put_vector(r.per_step);
  w.put_vector(r.per_run);
  w.put_vector(r.params);
  w.put_vector(r.wins);
  w.put_vector(r.actions);
  w.put<std::uint64_t>(r.message.size());
  w.out.insert(w.out.end(), r.message.begin(), r.message.end());
  return std::move(w.out);
}

RunRecord decode_run(const char* bytes, std::size_t size, const std::string& from) {
  Reader in(bytes, size, from);
  if (in.get<std::uint32_t>() != kMagic) in.fail("it does not start as a run does");
  RunRecord r;
  r.run = in.get<std::int64_t>();
  r.arm = in.get<std::int32_t>();
  r.replicate = in.get<std::int32_t>();
  r.point = in.get<std::int32_t>();
  r.seed = in.get<std::uint64_t>();
  r.status = in.get<std::int8_t>();
  r.wall_seconds = in.get<float>();
  in.get_vector(r.per_step);
  in.get_vector(r.per_run);
  in.get_vector(r.params);
  in.get_vector(r.wins);
  in.get_vector(r.actions);
  in.get_string(r.message);
  if (in.left() != 0) in.fail(std::to_string(in.left()) + " bytes after its end");
  return r;
}

}  // namespace orgsim
