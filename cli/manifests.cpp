#include "cli/manifests.hpp"

#include <regex>
#include <string_view>

namespace mirrord::cli {
namespace {

// The files are written so that the config namespace appears only as `  namespace: mirrord`
// (metadata of the objects inside it) and, in the Namespace object, `  name: mirrord`. Renaming
// line by line keeps the text exactly as shipped otherwise, comments included (a YAML round
// trip through yaml-cpp would drop them).
std::string rename_namespace(std::string_view text, const std::string& config_namespace) {
    static const std::regex namespace_line(R"(^(\s+namespace:\s*)mirrord\s*$)");
    static const std::regex name_line(R"(^(\s+name:\s*)mirrord\s*$)");
    static const std::regex namespace_kind(R"(^kind:\s*Namespace\s*$)");
    bool is_namespace = false;
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        bool newline = end != std::string_view::npos;
        std::string line(text.substr(start, newline ? end - start : std::string_view::npos));
        if (line == "---")
            is_namespace = false;
        else if (std::regex_match(line, namespace_kind))
            is_namespace = true;
        if (std::regex_match(line, namespace_line))
            line = std::regex_replace(line, namespace_line, "$1") + config_namespace;
        else if (is_namespace && std::regex_match(line, name_line))
            line = std::regex_replace(line, name_line, "$1") + config_namespace;
        out += line;
        if (newline)
            out += '\n';
        start = newline ? end + 1 : text.size();
    }
    return out;
}

} // namespace

bool valid_namespace_name(const std::string& name) {
    static const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    return name.size() <= 63 && std::regex_match(name, label);
}

std::string setup_yaml(const std::string& config_namespace) {
    std::string out;
    for (const auto& manifest : shipped_manifests()) {
        // Each file is one document; the source line tells a reader which file to edit.
        out += "---\n# Source: ";
        out += manifest.path;
        out += '\n';
        out += rename_namespace(manifest.text, config_namespace);
        if (!out.empty() && out.back() != '\n')
            out += '\n';
    }
    return out;
}

} // namespace mirrord::cli
