#include "aws/model.h"

#include <algorithm>

namespace millrace::aws::model {

const Operation* Service::operation(std::string_view name) const {
  // The generator writes operations sorted by name.
  auto it = std::lower_bound(operations.begin(), operations.end(), name,
                             [](const Operation& op, std::string_view n) { return op.name < n; });
  return it != operations.end() && it->name == name ? &*it : nullptr;
}

const Shape* Service::shape_named(std::string_view name) const {
  // The generator writes shapes sorted by name.
  auto it = std::lower_bound(shapes.begin(), shapes.end(), name,
                             [](const Shape& shape, std::string_view n) { return shape.name < n; });
  return it != shapes.end() && it->name == name ? &*it : nullptr;
}

}  // namespace millrace::aws::model
