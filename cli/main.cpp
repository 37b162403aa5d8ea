#include "cli/app.hpp"

int main(int argc, char** argv) { return mirrord::cli::run(argc, argv); }
