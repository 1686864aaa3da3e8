#pragma once
// Device models by name.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "memlab/device/model.hpp"

namespace memlab::device {

// A new model with default parameters; input_error naming the known models if `name` is unknown.
std::unique_ptr<model> make_model(std::string_view name);
// Registered names, sorted.
std::vector<std::string> model_names();

}  // namespace memlab::device
