// The small text helpers of sim/core/text.hpp that the CSV readers (edge list, roster) share.
#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include "core/text.hpp"

using orgsim::split_trimmed;
using orgsim::trim;

TEST_CASE("trim drops ASCII white space at both ends and nothing inside", "[text]") {
  CHECK(trim("  a b\t\r\n") == "a b");
  CHECK(trim("\f\va\v") == "a");
  CHECK(trim("") == "");
  CHECK(trim(" \t\r\n ") == "");
  CHECK(trim("x") == "x");
  // Not white space: a NUL and a non-breaking space (UTF-8 C2 A0) stay.
  CHECK(trim(std::string_view("\0a", 2)).size() == 2);
  CHECK(trim("\xC2\xA0" "a") == "\xC2\xA0" "a");
}

TEST_CASE("split_trimmed gives one trimmed field per separator plus one", "[text]") {
  std::vector<std::string_view> f{"stale"};
  split_trimmed(" 1 , 2,3 ", ',', f);
  REQUIRE(f.size() == 3);
  CHECK(f[0] == "1");
  CHECK(f[1] == "2");
  CHECK(f[2] == "3");
  split_trimmed("", ',', f);
  REQUIRE(f.size() == 1);
  CHECK(f[0].empty());
  split_trimmed("a,,", ',', f);
  REQUIRE(f.size() == 3);
  CHECK(f[0] == "a");
  CHECK(f[1].empty());
  CHECK(f[2].empty());
  split_trimmed("a;b", ',', f);
  REQUIRE(f.size() == 1);
  CHECK(f[0] == "a;b");
}
