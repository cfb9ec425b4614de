/*
 * The softlabel command: a table of subcommands, each in its own cmd_*.c file.
 * Exit codes follow sysexits.h: 64 usage, 65 bad input data, 66 cannot open input, 70 internal,
 * 71 out of memory, 73 cannot create output, 74 I/O error, 78 configuration (e.g. SOFTLABEL_ISA).
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the first option after the command name */
    const char *summary;
} commands[] = {
    {"score", sl_cmd_score, "score every row of a CSV or JSONL file (streaming, multi-threaded)"},
    {"gen", sl_cmd_gen, "write N synthetic interactions (the built-in sample) as CSV or JSONL"},
    {"sample", sl_cmd_sample, "score the built-in synthetic sample in memory and print a summary"},
    {"info", sl_cmd_info, "version, active instruction-set path, CPU features, paths it can run"},
    {"metrics", sl_cmd_metrics, "batch metrics (SPEC 3) of a CSV of interactions, as JSON"},
    {"panel", sl_cmd_panel, "reviewer annotations -> soft labels per item, QA summary and report"},
    {"eval", sl_cmd_eval, "compare model distributions with the panels' (cross-entropy, KL, JS...)"},
};

static int usage(FILE *f, int code)
{
    fputs("usage: softlabel <command> [options]   (softlabel <command> --help for its options)\n\n"
          "commands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\nenvironment: SOFTLABEL_ISA=scalar|avx2|avx512 forces an instruction-set path\n", f);
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr, 64);
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help"))
        return usage(stdout, 0);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "softlabel: unknown command '%s'\n", name);
    return usage(stderr, 64);
}
