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
// A model's parameters (default, range, symbol, meaning, source) and states as Markdown tables; also
// the access transistor, "nmos_ekv" (parameters only: it has no states)
// (memlab describe; the docs pages include this output). input_error for an unknown name.
std::string describe_markdown(std::string_view name);
// The same for a terminal, at most 100 characters a line: the states with their meaning, then each
// parameter's default, range and meaning (sources and symbols: describe_markdown).
std::string describe_text(std::string_view name);

}  // namespace memlab::device
