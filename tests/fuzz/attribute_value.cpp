// The typed-value decoder of the DynamoDB API (aws/attribute_value.h): DynamoDB's AttributeValues
// as gw-serve receives them, into the plain JSON items of the store, and back.
//
// Input: JSON, read as a typed item when it is an object of objects, and as one AttributeValue
// too.
//
// Checks: a conversion either fails with ValidationException or SerializationException and a
// message, or gives valid JSON; that plain JSON encodes back to a typed value (or item) which
// decodes again, without error, to the same plain JSON, and the encoder counts the same size
// for it as that second decoding does (exact numbers and binaries, one reading of the tagged
// forms); an item's size is the sum of its names' bytes and its values' sizes.
#include <simdjson.h>

#include <string>

#include "aws/attribute_value.h"
#include "fuzz.h"
#include "lines/json.h"

using namespace millrace;
using fuzz::require;

namespace {

// Checks one decoding of `typed` (an item or a value) and its way back.
void check(simdjson::dom::element typed, bool item) {
  std::string plain;
  aws::Decoded decoded = item ? aws::append_plain_item(plain, typed) : aws::append_plain_value(plain, typed);
  if (decoded.error) {
    require(decoded.error->type == "ValidationException" || decoded.error->type == "SerializationException",
            "an error that is neither a ValidationException nor a SerializationException");
    require(!decoded.error->message.empty(), "an error without a message");
    return;
  }
  // Valid JSON, as kv-put validates it (simdjson's DOM alone refuses integers beyond 64 bits,
  // which DynamoDB's 38 digits are).
  lines::Validator validator;
  fuzz::Padded padded(plain);
  require(!validator.parse(padded.view()), "a plain conversion that is not JSON");

  aws::ItemEncoder encoder;
  std::string back;
  auto size = item ? encoder.append_typed_item(back, plain) : encoder.append_typed_value(back, plain);
  require(size.has_value(), "plain JSON that does not encode back");
  simdjson::dom::parser back_parser;
  simdjson::dom::element back_root;
  require(!back_parser.parse(back).get(back_root), "an encoding that is not JSON");
  std::string again;
  aws::Decoded redecoded = item ? aws::append_plain_item(again, back_root) : aws::append_plain_value(again, back_root);
  require(!redecoded.error, "an encoding the decoder refuses");
  require(again == plain, "plain JSON that does not come back from its typed form");
  require(redecoded.size == *size, "the encoder's size differs from the decoder's");
  if (item) require(encoder.item_size(plain) == size, "item_size differs from append_typed_item's size");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(reinterpret_cast<const char*>(data), size).get(root)) return 0;
  check(root, true);
  check(root, false);
  return 0;
}
