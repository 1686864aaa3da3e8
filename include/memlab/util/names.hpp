#pragma once
// What an error about an unknown name says: the closest known name (a likely typo) and the list of
// known ones, e.g. "did you mean 'e_ag'? known: e_ag, e_sn, ...".
#include <optional>
#include <string>
#include <vector>

namespace memlab::util {

// The known name nearest to `name` by edit distance (insertions, deletions, substitutions and
// swaps of neighbours), if it is within a third of the name's length (at least 1 edit).
std::optional<std::string> closest(const std::string& name, const std::vector<std::string>& known);

// "did you mean 'x'? known: a, b, c" (or "known: a, b, c" without a close name; "none known" if empty).
std::string known_names(const std::string& name, const std::vector<std::string>& known);

}  // namespace memlab::util
