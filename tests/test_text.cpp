// The small text helpers of sim/core/text.hpp that the CSV readers (edge list, roster) and the
// --set parser share.
#include <catch2/catch.hpp>

#include <limits>
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

TEST_CASE("estimate_text rounds a mean to its interval and never uses an exponent", "[text]") {
  // Both to the half-width's second significant digit.
  CHECK(orgsim::estimate_text(0.4092, 0.1003) == "0.41 ± 0.10");
  CHECK(orgsim::estimate_text(1106.0, 110.4) == "1106 ± 110");
  CHECK(orgsim::estimate_text(100.0, 210.0) == "100 ± 210");
  CHECK(orgsim::estimate_text(0.0008333, 0.0027) == "0.0008 ± 0.0027");
  CHECK(orgsim::estimate_text(-280.8, 104.0) == "-281 ± 104");
  CHECK(orgsim::estimate_text(-0.0001, 0.02) == "0.000 ± 0.020");  // no "-0.000"
  // A half-width of 0, and none: the mean to four significant digits, trailing zeros dropped.
  CHECK(orgsim::estimate_text(0.0, 0.0) == "0 ± 0");
  CHECK(orgsim::estimate_text(2.5, 0.0) == "2.5 ± 0");
  CHECK(orgsim::estimate_text(0.4092, std::numeric_limits<double>::quiet_NaN()) == "0.4092");
  CHECK(orgsim::estimate_text(1106.0, std::numeric_limits<double>::infinity()) == "1106");
  CHECK(orgsim::estimate_text(1234567.0, std::numeric_limits<double>::quiet_NaN()) == "1234567");
  CHECK(orgsim::estimate_text(0.5, std::numeric_limits<double>::quiet_NaN()) == "0.5");
  CHECK(orgsim::estimate_text(std::numeric_limits<double>::quiet_NaN(), 0.1) == "nan");
}
