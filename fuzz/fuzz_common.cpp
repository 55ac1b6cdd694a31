#include "fuzz_common.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <typeinfo>

#include "engine/simulation.hpp"

namespace fs = std::filesystem;

namespace orgsim::fuzz {

namespace {

fs::path make_workdir() {
  const char* tmp = std::getenv("TMPDIR");
  fs::path root = fs::path(tmp && *tmp ? tmp : "/tmp") /
                  ("orgsim-fuzz-" + std::to_string(static_cast<long long>(getpid())));
  fs::remove_all(root);
  fs::create_directories(root / "scenarios" / "sweeps");
  const fs::path shipped = fs::path(ORGSIM_SOURCE_DIR) / "scenarios";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(shipped, ec))
    if (e.path().extension() == ".json")
      fs::copy_file(e.path(), root / "scenarios" / e.path().filename(), ec);
  std::ofstream edges(root / "scenarios" / "edges.csv");
  edges << "source,target,trust\n";
  for (int i = 0; i < 20; ++i) edges << i << ',' << (i + 1) % 20 << ",0.3\n";
  std::atexit([] {
    std::error_code ignore;
    fs::remove_all(workdir(), ignore);
  });
  return root;
}

bool special(const std::string& s) {
  return s.find("/dev") != std::string::npos || s.find("/proc") != std::string::npos ||
         s.find("/sys") != std::string::npos;
}

}  // namespace

const fs::path& workdir() {
  static const fs::path dir = make_workdir();
  return dir;
}

void write_file(const fs::path& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) {
    std::cerr << "orgsim-fuzz: cannot write " << path << "\n";
    std::abort();
  }
}

bool names_special_file(const nlohmann::json& doc) {
  if (doc.is_string()) return special(doc.get_ref<const std::string&>());
  if (doc.is_object()) {
    for (auto it = doc.begin(); it != doc.end(); ++it)
      if (special(it.key()) || names_special_file(*it)) return true;
  } else if (doc.is_array()) {
    for (const auto& v : doc)
      if (names_special_file(v)) return true;
  }
  return false;
}

void note_untyped(const std::exception& e, const char* stage) {
  static std::set<std::string> seen;
  static std::mutex m;
  // One note per exception type, stage and message prefix (digits and the hex digits of a
  // "0x.." byte dropped: positions and byte values vary, as in nlohmann's UTF-8 errors).
  std::string key = std::string(stage) + " " + typeid(e).name() + " ";
  for (const char* p = e.what(); *p && key.size() < 120; ++p) {
    if (p[0] == '0' && p[1] == 'x') {
      for (p += 2; std::isxdigit(static_cast<unsigned char>(*p)); ++p) {}
      if (!*p) break;
    }
    if (*p < '0' || *p > '9') key += *p;
  }
  const bool strict = std::getenv("ORGSIM_FUZZ_STRICT") && std::string(std::getenv("ORGSIM_FUZZ_STRICT")) == "1";
  {
    std::lock_guard<std::mutex> lock(m);
    if (!seen.insert(key).second && !strict) return;
  }
  std::cerr << "orgsim-fuzz: untyped exception in " << stage << ": " << typeid(e).name() << ": "
            << e.what() << "\n";
  if (strict) std::abort();
}

void pilot(const ModelConfig& cfg, std::uint64_t rep_seed) {
  if (cfg.n > kPilotMaxAgents || cfg.steps > kPilotMaxSteps ||
      cfg.staff_organizers > kPilotMaxOrganizers)
    return;
  Simulation sim(cfg, rep_seed);
  for (std::int32_t t = 0; t < std::min(cfg.steps, kPilotSteps); ++t) sim.step();
  try {
    sim.check_invariants();
  } catch (const std::logic_error& e) {
    std::cerr << "orgsim-fuzz: broken invariant after " << std::min(cfg.steps, kPilotSteps)
              << " steps: " << e.what() << "\n";
    std::abort();
  }
}

}  // namespace orgsim::fuzz
