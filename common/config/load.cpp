// The load pipeline: read -> template -> parse -> key check -> typed parse -> MIRRORD_* env
// (CLI overrides first) -> implied settings -> verify.
#include <iostream>
#include <iterator>

#include "common/config/config.hpp"
#include "common/config/env_overrides.hpp"
#include "common/config/formats.hpp"
#include "common/config/keys.hpp"
#include "common/config/parse.hpp"
#include "common/config/session.hpp"
#include "common/config/template.hpp"
#include "common/config/utf8.hpp"
#include "common/config/verify.hpp"
#include "common/core/files.hpp"

namespace mirrord::config {
namespace {

std::string shown_path(const std::string& path) { return path == "-" ? "<stdin>" : path; }

TemplateContext template_context(const EnvSource& env, std::optional<std::string> key) {
    TemplateContext context;
    context.key = std::move(key);
    context.git_branch = [&env]() -> std::optional<std::string> {
        if (auto branch = env.get("MIRRORD_BRANCH_NAME"))
            return branch;
        return current_git_branch();
    };
    context.env = [&env](const std::string& name) { return env.get(name); };
    return context;
}

// mirrord's key order: MIRRORD_KEY (or -k), then the file's raw `key` rendered with only
// git_branch (ignored when the unrendered file does not parse), then a generated one.
std::pair<std::string, bool> resolve_key(std::string_view text, Format format,
                                         const EnvSource& env) {
    if (auto key = env.get("MIRRORD_KEY"))
        return {*key, false};
    auto raw = parse_document(text, format);
    if (raw && raw->contains("key") && raw->at("key").is_string()) {
        auto rendered = render_template(raw->at("key").get<std::string>(),
                                        template_context(env, std::nullopt));
        if (rendered)
            return {*rendered, false};
    }
    return {generate_session_key(), true};
}

// The steps shared by "no file" and "a file": env overrides, the key, implied settings, verify.
Result<Loaded> finish(Loaded loaded, const std::optional<std::string>& path,
                      const LoadOptions& options, const EnvSource& env) {
    auto with_file = [&path](Error error) {
        return path ? std::move(error).wrap(shown_path(*path)) : std::move(error);
    };
    MIRRORD_TRY(apply_env_overrides(loaded.config, env));
    apply_implied_settings(loaded.config);
    auto verified = verify(loaded.config, options, loaded.warnings);
    if (!verified)
        return with_file(std::move(verified).error());
    loaded.path = path;
    return loaded;
}

Result<std::string> read_source(const std::string& path) {
    if (path != "-")
        return read_file(path).wrap("failed to read the file");
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad())
        return fail("<stdin>: failed to read the file");
    return text;
}

Result<Loaded> load_text_unguarded(std::string_view text, const std::string& path,
                                   const LoadOptions& options) {
    EnvSource env(options.overrides);
    auto shown = shown_path(path);
    auto format = format_for_path(path).wrap(shown);
    if (!format)
        return std::move(format).error();
    if (auto bad = invalid_utf8_offset(text))
        return fail("{}: failed to read the file: {}: stream did not contain valid UTF-8", shown,
                    line_column(text, *bad));
    auto [key, generated] = resolve_key(text, *format, env);
    auto rendered = render_template(text, template_context(env, key))
                        .wrap(fmt::format("{}: failed to render template", shown));
    if (!rendered)
        return std::move(rendered).error();
    // get_env() can bring in bytes the file itself did not have.
    if (auto bad = invalid_utf8_offset(*rendered))
        return fail("{}: failed to render template: a rendered value is not valid UTF-8", shown);
    MIRRORD_TRY_ASSIGN(auto tree, parse_document(*rendered, *format).wrap(shown));
    Loaded loaded;
    MIRRORD_TRY(check_keys(tree, loaded.warnings).wrap(shown));
    MIRRORD_TRY_ASSIGN(loaded.config, parse_config(tree).wrap(shown));
    loaded.raw = std::move(tree);
    // MIRRORD_KEY was already taken into account; the file's own `key` yields to it.
    loaded.config.key = key;
    loaded.config.key_generated = generated;
    return finish(std::move(loaded), path, options, env);
}

} // namespace

Result<Loaded> load_text(std::string_view text, const std::string& path,
                         const LoadOptions& options) {
    try {
        return load_text_unguarded(text, path, options);
    } catch (const std::exception& e) {
        return fail("{}: unexpected error while loading the config: {}", shown_path(path),
                    e.what());
    }
}

Result<Loaded> load(const LoadOptions& options) {
    try {
        EnvSource env(options.overrides);
        auto path = options.path;
        if (!path) {
            if (auto from_env = env.get("MIRRORD_CONFIG_FILE"); from_env && !from_env->empty())
                path = *from_env;
        }
        if (path) {
            MIRRORD_TRY_ASSIGN(auto text, read_source(*path));
            return load_text(text, *path, options);
        }
        Loaded loaded;
        loaded.raw = nlohmann::json::object();
        auto key = env.get("MIRRORD_KEY");
        loaded.config.key = key ? *key : generate_session_key();
        loaded.config.key_generated = !key;
        return finish(std::move(loaded), std::nullopt, options, env);
    } catch (const std::exception& e) {
        return fail("unexpected error while loading the config: {}", e.what());
    }
}

} // namespace mirrord::config
