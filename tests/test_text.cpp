// The small text helpers of sim/core/text.hpp that the CSV readers (edge list, roster) and the
// --set parser share.
#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include "core/text.hpp"

using orgsim::escape_invalid_utf8;
using orgsim::first_invalid_utf8;
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

TEST_CASE("first_invalid_utf8 finds the first byte of ill-formed UTF-8 and escaping shows it",
          "[text]") {
  const auto npos = std::string::npos;
  CHECK(first_invalid_utf8("") == npos);
  CHECK(first_invalid_utf8("plain ASCII") == npos);
  CHECK(first_invalid_utf8(std::string_view("a\0b", 3)) == npos);  // NUL is UTF-8
  CHECK(first_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF") == npos);
  CHECK(first_invalid_utf8("ab\xFF") == 2);          // never a lead byte
  CHECK(first_invalid_utf8("\x80") == 0);            // a stray continuation byte
  CHECK(first_invalid_utf8("x\xC3") == 1);           // truncated
  CHECK(first_invalid_utf8("\xC3x") == 0);           // a lead byte without continuation
  CHECK(first_invalid_utf8("\xC0\xAF") == 0);        // overlong '/'
  CHECK(first_invalid_utf8("\xE0\x80\xAF") == 0);    // overlong, 3 bytes
  CHECK(first_invalid_utf8("\xED\xA0\x80") == 0);    // a surrogate (U+D800)
  CHECK(first_invalid_utf8("\xF4\x90\x80\x80") == 0);  // above U+10FFFF
  CHECK(escape_invalid_utf8("a\xFF\xC3\xA9\xC3") == "a\\xFF\xC3\xA9\\xC3");
  CHECK(escape_invalid_utf8("ok") == "ok");
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
