#include "aws/store_spec.h"

namespace millrace::aws {

StoreSpec StoreSpec::parse(std::string text) {
  StoreSpec spec;
  if (text == "aws")
    spec.kind = Kind::aws;
  else if (text.starts_with("http://") || text.starts_with("https://"))
    spec.kind = Kind::endpoint;
  spec.text = std::move(text);
  return spec;
}

}  // namespace millrace::aws
