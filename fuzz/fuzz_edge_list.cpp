// The CSV edge-list parser (network.type = edge_list): read_edge_list on the input bytes, for a
// population of 100 agents, then the CSR it builds is checked (symmetric, sorted, no self-loops,
// trust twins equal).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "fuzz_common.hpp"
#include "model/network.hpp"

using namespace orgsim;

namespace {

constexpr std::int32_t kAgents = 100;

void require(bool ok, const char* what) {
  if (ok) return;
  std::cerr << "orgsim-fuzz: edge list accepted but its CSR is broken: " << what << "\n";
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  fuzz::expect_typed_errors("edge_list", [&] {
    const Network net = read_edge_list(in, "input.csv", kAgents);
    require(net.n == kAgents && !net.complete, "n");
    require(net.offsets.size() == static_cast<std::size_t>(kAgents) + 1, "offsets size");
    require(net.neighbors.size() == net.trust.size(), "trust size");
    for (std::int32_t i = 0; i < kAgents; ++i)
      for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
        const std::int32_t j = net.neighbors[e];
        require(j >= 0 && j < kAgents && j != i, "neighbour id");
        require(e == net.offsets[i] || net.neighbors[e - 1] < j, "row sorted, no duplicates");
        const std::int64_t twin = net.find_entry(j, i);
        require(twin >= 0, "symmetric");
        const float a = net.trust[e], b = net.trust[static_cast<std::size_t>(twin)];
        require((std::isnan(a) && std::isnan(b)) || a == b, "trust twins equal");
        require(std::isnan(a) || (a >= 0.0f && a <= 1.0f), "trust in [0, 1]");
      }
  });
  return 0;
}
