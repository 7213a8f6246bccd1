#include "store/decimal.h"

#include <doctest/doctest.h>

#include <string>

using millrace::store::compare_number_texts;
using millrace::store::Decimal;
using millrace::store::is_json_number;
using millrace::store::limit_message;
using millrace::store::NumberLimit;
using millrace::store::NumberSyntax;

namespace {

struct Row {
  const char *a, *b, *sum, *difference;
  int order;
};

// a, b, a + b, a - b and the order of a and b, computed by Python's decimal module (context
// precision 400, so exact) with format(x, "f") for the text: the first rows by hand-picked
// operands, the others drawn by random.seed(15). (Python writes 0 - 0 as "-0"; Java's
// BigDecimal, and so DynamoDB, has no negative zero: that row says "0".)
constexpr Row kPython[] = {
    {"1.50", "1", "2.50", "0.50", 1},
    {"1e20", "1", "100000000000000000001", "99999999999999999999", 1},
    {"1e20", "1e-20", "100000000000000000000.00000000000000000001",
     "99999999999999999999.99999999999999999999", 1},
    {"0.1", "0.2", "0.3", "-0.1", -1},
    {"-1.50", "1.5", "0.00", "-3.00", -1},
    {"1E+2", "1", "101", "99", 1},
    {"1e30", "1e30", "2000000000000000000000000000000", "0", 0},
    {"0.00", "0", "0.00", "0.00", 0},
    {"-0", "0", "0", "0", 0},
    {"99999999999999999999999999999999999999", "1", "100000000000000000000000000000000000000",
     "99999999999999999999999999999999999998", 1},
    {"12345678901234567890123456789012345678", "0.5", "12345678901234567890123456789012345678.5",
     "12345678901234567890123456789012345677.5", 1},
    {"1e-130", "0",
     "0."
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000001",
     "0."
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000001",
     1},
    {"9.9e125", "0",
     "990000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000",
     "990000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000",
     1},
    {"2e-130", "-1.5e-130",
     "0."
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000005",
     "0."
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000035",
     1},
    {"-5", "3", "-2", "-8", -1},
    {"0.1", "-0.1", "0.0", "0.2", 1},
    {"123.456", "-123.456", "0.000", "246.912", 1},
    {"1", "-1e-130",
     "0."
     "999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
     "9999999999999999999999999999999999999",
     "1."
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000001",
     1},
    {"5e-1", "0.05", "0.55", "0.45", 1},
    {"-9.99", "-0.01", "-10.00", "-9.98", -1},
    {"802300E+26", "-315754645335e21", "-235524645335000000000000000000000",
     "395984645335000000000000000000000", 1},
    {"-8.639767179", "5.761703282904872116", "-2.878063896095127884", "-14.401470461904872116", -1},
    {"4.68328851344256757", "-2.176604141070427", "2.50668437237214057", "6.85989265451299457", 1},
    {"80E+0", "-3.97419005665094", "76.02580994334906", "83.97419005665094", 1},
    {"-6.6059680243785539", "9", "2.3940319756214461", "-15.6059680243785539", -1},
    {"28E+16", "-6525155798979169012e15", "-6525155798979168732000000000000000",
     "6525155798979169292000000000000000", 1},
    {"9889556E+16", "925799604524520e-1", "98895560092579960452452.0", "98895559907420039547548.0",
     1},
    {"-431E+20", "3.52905", "-43099999999999999999996.47095", "-43100000000000000000003.52905", -1},
    {"-5.92827", "-26164730756209097705E+2", "-2616473075620909770505.92827",
     "2616473075620909770494.07173", 1},
    {"-6.77681257", "7.813328861655742461", "1.036516291655742461", "-14.590141431655742461", -1},
    {"9.44278", "-13366394676735655E+6", "-13366394676735654999990.55722",
     "13366394676735655000009.44278", 1},
    {"1.2733912844", "-723752838E+24", "-723752837999999999999999999999998.7266087156",
     "723752838000000000000000000000001.2733912844", 1},
    {"9.040", "5.849955568607", "14.889955568607", "3.190044431393", 1},
    {"262E+23", "-6.9", "26199999999999999999999993.1", "26200000000000000000000006.9", 1},
    {"-38512E+27", "-880780209e-2", "-38512000000000000000000008807802.09",
     "-38511999999999999999999991192197.91", -1},
    {"28963E+20", "57018269451428e30", "57018269451428000002896300000000000000000000",
     "-57018269451427999997103700000000000000000000", -1},
    {"726419863E+12", "-9522311452329462e6", "-8795891589329462000000", "10248731315329462000000",
     1},
    {"2", "1.7592580707599", "3.7592580707599", "0.2407419292401", 1},
    {"796561249391e-24", "3516530636860e6", "3516530636860000000.000000000000796561249391",
     "-3516530636859999999.999999999999203438750609", -1},
    {"-11752E+3", "801162027448455e-1", "80116190992845.5", "-80116214496845.5", -1},
    {"-4.6587", "24743056365410315E+18", "24743056365410314999999999999999995.3413",
     "-24743056365410315000000000000000004.6587", -1},
    {"-8340022209e9", "-14928039802e-24", "-8340022209000000000.000000000000014928039802",
     "-8340022208999999999.999999999999985071960198", -1},
    {"6428329E+30", "98020842185E+4", "6428329000000000000000980208421850000",
     "6428328999999999999999019791578150000", 1},
    {"5162108e6", "9.82935280", "5162108000009.82935280", "5162107999990.17064720", 1},
    {"-2689e11", "-7.375336244914498375", "-268900000000007.375336244914498375",
     "-268899999999992.624663755085501625", -1},
    {"-7.97773385975449515", "9.29781206", "1.32007820024550485", "-17.27554591975449515", -1},
    {"48763753e-15", "-9595602e2", "-959560199.999999951236247", "959560200.000000048763753", 1},
    {"9527003246392848e-26", "-21806593007800e-3", "-21806593007.79999999990472996753607152",
     "21806593007.80000000009527003246392848", 1},
    {"-5944841104913180e29", "4e-2", "-594484110491317999999999999999999999999999999.96",
     "-594484110491318000000000000000000000000000000.04", -1},
    {"4.259168233245649", "-8.441541662369232", "-4.182373429123583", "12.700709895614881", 1},
    {"4.8076340789890", "-17302027731895e-29", "4.80763407898899982697972268105",
     "4.80763407898900017302027731895", 1},
    {"-93053630036223683843E+9", "-10600E+14", "-93053630037283683843000000000",
     "-93053630035163683843000000000", -1},
    {"-8117526E+30", "1769327789713277e5", "-8117525999999999823067221028672300000",
     "-8117526000000000176932778971327700000", -1},
    {"-282598177978E+16", "6.7174096155661880", "-2825981779779999999999999993.2825903844338120",
     "-2825981779780000000000000006.7174096155661880", -1},
    {"868234037E+7", "-402342515433627e23", "-40234251543362699999991317659630000000",
     "40234251543362700000008682340370000000", 1},
    {"9.3145160847243358", "3.85966514", "13.1741812247243358", "5.4548509447243358", 1},
    {"1.08522522", "215E+20", "21500000000000000000001.08522522",
     "-21499999999999999999998.91477478", -1},
    {"-99417867880024e-21", "977297958856137232e21",
     "977297958856137231999999999999999999999.999999900582132119976",
     "-977297958856137232000000000000000000000.000000099417867880024", -1},
    {"6.255", "3423e-22", "6.2550000000000000003423", "6.2549999999999999996577", 1},
    {"7.77", "4438e-10", "7.7700004438", "7.7699995562", 1},
};

Decimal parse(const char* text) {
  auto d = Decimal::parse(text);
  REQUIRE(d);
  return *d;
}

// DynamoDB's text of a typed N, or "refused" / the limit it breaks.
std::string canonical(std::string_view text) {
  auto number = Decimal::parse(text, NumberSyntax::dynamodb);
  if (!number) return "refused";
  switch (number->limit()) {
    case NumberLimit::ok: break;
    case NumberLimit::precision: return "precision";
    case NumberLimit::overflow: return "overflow";
    case NumberLimit::underflow: return "underflow";
  }
  std::string out;
  number->append_canonical(out);
  return out;
}

std::size_t size_of(std::string_view text) { return Decimal::parse(text, NumberSyntax::dynamodb).value().dynamodb_size(); }

}  // namespace

TEST_CASE("decimal: sums, differences and order agree with Python's decimal module") {
  for (const Row& row : kPython) {
    CAPTURE(row.a);
    CAPTURE(row.b);
    Decimal a = parse(row.a), b = parse(row.b);
    CHECK(Decimal::add(a, b)->plain() == row.sum);
    CHECK(Decimal::subtract(a, b)->plain() == row.difference);
    CHECK(Decimal::compare(a, b) == row.order);
    CHECK(compare_number_texts(row.a, row.b) == row.order);
    CHECK(compare_number_texts(row.b, row.a) == -row.order);
  }
}

TEST_CASE("decimal: a number keeps the exponent it was written with") {
  CHECK(parse("1.50").plain() == "1.50");
  CHECK(parse("1e2").plain() == "100");
  CHECK(parse("15e-1").plain() == "1.5");
  CHECK(parse("-0.000").plain() == "0.000");
  CHECK(parse("0e5").plain() == "0");
  CHECK(parse("-12.5").plain() == "-12.5");
  CHECK(parse("0.001").plain() == "0.001");
}

TEST_CASE("decimal: only JSON's numbers are read") {
  for (const char* bad :
       {"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x10", "1 ", "NaN", "1,5", "--1"}) {
    CAPTURE(bad);
    CHECK_FALSE(Decimal::parse(bad));
    CHECK_FALSE(is_json_number(bad));
  }
  for (const char* good :
       {"0", "-0", "1.5", "1E+2", "1e-7", "123456789012345678901234567890123456789"}) {
    CAPTURE(good);
    CHECK(is_json_number(good));
  }
}

TEST_CASE("decimal: DynamoDB's limits, in its words") {
  // The texts are DynamoDB Local's answers to SET x = :a + :b with such results.
  const std::string precision = "DynamoDB only supports precision up to 38 digits";
  const std::string overflow =
      "Number overflow. Attempting to store a number with magnitude larger than supported range";
  const std::string underflow =
      "Number underflow. Attempting to store a number with magnitude smaller than supported range";
  CHECK(parse("12345678901234567890123456789012345678").limit() == NumberLimit::ok);
  CHECK(parse("100000000000000000000000000000000000000000").limit() == NumberLimit::ok);  // 1 digit
  CHECK(limit_message(parse("123456789012345678901234567890123456789").limit()) == precision);
  CHECK(limit_message(parse("100000000000000000000.00000000000000000001").limit()) == precision);
  CHECK(parse("9.9999999999999999999999999999999999999e125").limit() == NumberLimit::ok);
  CHECK(limit_message(parse("1e126").limit()) == overflow);
  CHECK(limit_message(parse("-1e126").limit()) == overflow);
  CHECK(parse("1e-130").limit() == NumberLimit::ok);
  CHECK(limit_message(parse("5e-131").limit()) == underflow);
  CHECK(parse("0e-999").limit() == NumberLimit::ok);
}

TEST_CASE("decimal: numbers compare exactly, past a double's precision") {
  CHECK(compare_number_texts("0.1", "0.10000000000000001") < 0);  // one double
  CHECK(compare_number_texts("1.5", "15e-1") == 0);
  CHECK(compare_number_texts("-0", "0.0e10") == 0);
  CHECK(compare_number_texts("-1", "-2") > 0);
  CHECK(compare_number_texts("-1e-130", "0") < 0);
  CHECK(compare_number_texts("1e999999999999999999", "1e5") >
        0);  // exponents are bounded, not wrapped
  CHECK(compare_number_texts("12345678901234567890123456789012345678",
                             "12345678901234567890123456789012345679") < 0);
}

TEST_CASE("decimal: arithmetic far beyond DynamoDB's range is refused, not attempted") {
  CHECK_FALSE(Decimal::add(parse("1e999999"), parse("1")));
  CHECK(Decimal::add(parse("1e125"), parse("1e-130")));
}

TEST_CASE("decimal: a typed N comes back as DynamoDB gives it: plain notation, no needless zero or sign") {
  // Each pair as DynamoDB Local 3.3.1 answered a PutItem then GetItem of the number.
  CHECK(canonical("1.50") == "1.5");
  CHECK(canonical("-0") == "0");
  CHECK(canonical("-0.0e5") == "0");
  CHECK(canonical("0.00") == "0");
  CHECK(canonical("1e3") == "1000");
  CHECK(canonical("12e2") == "1200");
  CHECK(canonical("1e+0") == "1");
  CHECK(canonical("0.000100") == "0.0001");
  CHECK(canonical("1E-10") == "0.0000000001");
  CHECK(canonical("1.0e-5") == "0.00001");
  CHECK(canonical("+5") == "5");
  CHECK(canonical("00012.3400") == "12.34");
  CHECK(canonical("1.2E+20") == "120000000000000000000");
  CHECK(canonical(".5") == "0.5");
  CHECK(canonical("5.") == "5");
  CHECK(canonical("-1.5e-3") == "-0.0015");
  CHECK(canonical("12345678901234567890123456789012345678") == "12345678901234567890123456789012345678");
  CHECK(canonical("1234567890123456789012345678901234567800000") == "1234567890123456789012345678901234567800000");
  CHECK(canonical("1e125") == "1" + std::string(125, '0'));
  CHECK(canonical("1e-130") == "0." + std::string(129, '0') + "1");
}

TEST_CASE("decimal: DynamoDB's limits: 38 significant digits, then the range 1e-130 to below 1e126") {
  CHECK(canonical("123456789012345678901234567890123456789") == "precision");
  CHECK(canonical("1e126") == "overflow");
  CHECK(canonical("9.99e125") == std::string("999") + std::string(123, '0'));
  CHECK(canonical("1e-131") == "underflow");
  CHECK(canonical("-1.5e-130") == "-0." + std::string(129, '0') + "15");
  // Precision is checked before the range, as DynamoDB does.
  CHECK(canonical("1234567890123456789012345678901234567891e200") == "precision");
  CHECK(canonical("1234567890123456789012345678901234567891e-200") == "precision");
}

TEST_CASE("decimal: what is not a number in DynamoDB's syntax, or in JSON's") {
  for (const char* bad : {"", "-", "+", ".", " 7 ", "0x10", "1_0", "Infinity", "NaN", "1e", "1e+", "1,5", "--1",
                          "1e99999999999999999999", "1e-999999999999"})
    CHECK_MESSAGE(!Decimal::parse(bad, NumberSyntax::dynamodb), bad);
  // JSON's grammar is narrower: no '+', no bare point, no leading zero.
  for (const char* bad : {"+5", ".5", "5.", "01", "-01.5"}) CHECK_MESSAGE(!Decimal::parse(bad), bad);
  for (const char* good : {"0", "-0", "0.5", "10", "1e5", "1E-5", "-2.50e+3"})
    CHECK_MESSAGE(Decimal::parse(good), good);
  // A JSON exponent far beyond the range is a number beyond the range, not an error of syntax.
  CHECK(parse("1e99999999999999999999").limit() == NumberLimit::overflow);
}

TEST_CASE("decimal: a number's size is DynamoDB's: one byte per pair of digits aligned on the point, plus one") {
  // Each measured on DynamoDB Local 3.3.1 by the item size at which a put costs a second write unit.
  CHECK(size_of("0") == 1);
  CHECK(size_of("1") == 2);
  CHECK(size_of("12") == 2);
  CHECK(size_of("123") == 3);
  CHECK(size_of("1234") == 3);
  CHECK(size_of("-1") == 3);
  CHECK(size_of("10") == 2);
  CHECK(size_of("100") == 2);
  CHECK(size_of("0.1") == 2);
  CHECK(size_of("0.01") == 2);
  CHECK(size_of("1.5") == 3);
  CHECK(size_of("-1.5") == 4);
  CHECK(size_of("12345678901234567890123456789012345678") == 20);
  CHECK(size_of("1234567890123456789012345678901234567") == 20);
}
