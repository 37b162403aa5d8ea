#pragma once
// Reading dotenv files (`feature.env.env_file`, `--env-file`) the way mirrord does (dotenvy):
//   KEY=value              unquoted: ends at the first space or tab; then only a `# comment`
//   export KEY=value       the `export ` prefix is accepted and ignored
//   KEY='literal $x \n'    single quotes: everything literal
//   KEY="a\n\"b\" ${X}"    double quotes: escapes \n \\ \" \' \$ and `\ `; $VAR / ${VAR} expand
//   # comment, blank lines
// Quoted pieces may be glued to unquoted ones (`a"b c"d` is `ab cd`), and a quoted value may span
// lines. $VAR and ${VAR} also expand outside quotes. As in dotenvy, a variable of the process
// environment wins over a key defined earlier in the file; an unknown variable expands to "".
// Keys are letters, digits, `_` and `.`.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/core/result.hpp"

namespace mirrord {

// Name -> value pairs in file order (a key defined twice appears twice; the later one wins).
using DotenvEntries = std::vector<std::pair<std::string, std::string>>;

// Looks a variable up in the process environment (or a test's stand-in).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment as an EnvLookup.
EnvLookup process_env_lookup();

// Parses dotenv `text`; `file` names it in errors: "<file>:<line>: <what is wrong>".
Result<DotenvEntries> parse_dotenv(std::string_view text, std::string_view file,
                                   const EnvLookup& lookup = process_env_lookup());

// Reads and parses the dotenv file at `path`.
Result<DotenvEntries> load_dotenv(const std::string& path,
                                  const EnvLookup& lookup = process_env_lookup());

} // namespace mirrord
