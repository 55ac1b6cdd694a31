// A run handed between processes (sim/engine/record_codec.*, used by MPI sweeps) arrives as it
// left, bit for bit, and damaged bytes are refused rather than read past their end.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "engine/record_codec.hpp"
#include "helpers.hpp"

using namespace orgsim;

namespace {

RunRecord sample_run() {
  RunRecord r;
  r.run = 123456789012LL;
  r.arm = 1;
  r.replicate = 7;
  r.point = 3;
  r.seed = 0xfedcba9876543210ULL;
  r.status = 2;
  r.wall_seconds = 0.25f;
  r.per_step = {1.0f, std::numeric_limits<float>::quiet_NaN(), -0.0f, 3.5f};
  r.per_run = {0.5, std::numeric_limits<double>::infinity(), 1e-300};
  r.params = {0.01, 20.0};
  WinEvent w;
  w.start_step = 4;
  w.end_step = 9;
  w.censored = false;
  w.strength = 0.75;
  r.wins = {w, WinEvent{}};
  ActionEvent a;
  a.step = 5;
  a.kind = 1;
  a.turnout = 0.6;
  a.won = true;
  a.consolidated_step = 11;
  r.actions = {a};
  r.message = "an impossible network: \xc3\xa9";  // bytes, not text
  return r;
}

}  // namespace

TEST_CASE("record codec: a run round-trips bit for bit", "[codec]") {
  const RunRecord r = sample_run();
  const auto bytes = encode_run(r);
  const RunRecord back = decode_run(bytes.data(), bytes.size(), "rank 1");
  CHECK(back.run == r.run);
  CHECK(back.arm == r.arm);
  CHECK(back.replicate == r.replicate);
  CHECK(back.point == r.point);
  CHECK(back.seed == r.seed);
  CHECK(back.status == r.status);
  CHECK(back.wall_seconds == r.wall_seconds);
  CHECK(test::same_bits(back.per_step, r.per_step));  // NaN and -0 included
  CHECK(test::same_bits(back.per_run, r.per_run));
  CHECK(test::same_bits(back.params, r.params));
  REQUIRE(back.wins.size() == 2);
  CHECK(back.wins[0].start_step == 4);
  CHECK(back.wins[0].end_step == 9);
  CHECK_FALSE(back.wins[0].censored);
  CHECK(back.wins[0].strength == 0.75);
  CHECK(back.wins[1].censored);
  REQUIRE(back.actions.size() == 1);
  CHECK(back.actions[0].kind == 1);
  CHECK(back.actions[0].won);
  CHECK(back.actions[0].consolidated_step == 11);
  CHECK(back.message == r.message);
  CHECK(back.snapshots == nullptr);

  const RunRecord empty;
  const auto e = encode_run(empty);
  const RunRecord empty_back = decode_run(e.data(), e.size(), "rank 1");
  CHECK(empty_back.per_step.empty());
  CHECK(empty_back.message.empty());
}

TEST_CASE("record codec: truncated, extended or foreign bytes are refused", "[codec]") {
  const auto bytes = encode_run(sample_run());
  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, std::size_t{20}, bytes.size() / 2,
                          bytes.size() - 1}) {
    INFO("cut at " << cut);
    CHECK_THROWS_WITH(decode_run(bytes.data(), cut, "rank 3"),
                      Catch::Contains("rank 3") && Catch::Contains("damaged"));
  }
  auto longer = bytes;
  longer.push_back('x');
  CHECK_THROWS_WITH(decode_run(longer.data(), longer.size(), "rank 3"),
                    Catch::Contains("1 bytes after its end"));
  auto foreign = bytes;
  foreign[0] = static_cast<char>(foreign[0] ^ 0x55);
  CHECK_THROWS_WITH(decode_run(foreign.data(), foreign.size(), "rank 3"),
                    Catch::Contains("does not start as a run does"));
  // A length field claiming more than the bytes hold (the per-step vector's, right after the
  // fixed fields): refused before anything is allocated for it.
  auto huge = bytes;
  const std::size_t len_at = 4 + 8 + 4 + 4 + 4 + 8 + 1 + 4;
  const std::uint64_t claim = std::uint64_t{1} << 60;
  std::memcpy(huge.data() + len_at, &claim, sizeof claim);
  CHECK_THROWS_WITH(decode_run(huge.data(), huge.size(), "rank 3"),
                    Catch::Contains("longer than the bytes left"));
}
