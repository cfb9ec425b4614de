/*
 * The softlabel command: a table of subcommands, each in its own cmd_*.c file.
 * Exit codes follow sysexits.h (named in cli_util.h): 64 usage, 65 bad input data, 66 cannot open
 * input, 70 internal, 71 out of memory, 73 cannot create output, 74 I/O error, 78 configuration
 * (e.g. SOFTLABEL_ISA); 128 + N when signal N (SIGINT 130, SIGTERM 143) stopped the run.
 * What every command shares is done here once: the signal handlers that remove temporary output
 * files, and the check of the SOFTLABEL_ISA override.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "softlabel.h"

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the first option after the command name */
    int computes;                      /* runs the library: needs a valid instruction-set path */
    const char *summary;
} commands[] = {
    {"score", sl_cmd_score, 1, "score every row of a CSV or JSONL file (streaming, multi-threaded)"},
    {"gen", sl_cmd_gen, 0, "write N synthetic interactions (the built-in sample) as CSV or JSONL"},
    {"sample", sl_cmd_sample, 1, "score the built-in synthetic sample in memory and print a summary"},
    {"info", sl_cmd_info, 0, "version, active instruction-set path, CPU features, paths it can run"},
    {"metrics", sl_cmd_metrics, 1, "batch metrics (SPEC 3) of a CSV of interactions, as JSON"},
    {"panel", sl_cmd_panel, 1, "reviewer annotations -> soft labels per item, QA summary and report"},
    {"eval", sl_cmd_eval, 1, "compare model distributions with the panels' (cross-entropy, KL, JS...)"},
};

static int usage(FILE *f, int code)
{
    fputs("usage: softlabel <command> [options]   (softlabel <command> --help for its options)\n\n"
          "commands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\nenvironment: SOFTLABEL_ISA=", f);
    for (size_t i = 0; i < sl_isa_count(); i++)
        fprintf(f, "%s|", sl_isa_at(i));
    fputs("auto forces an instruction-set path; in this build:\n", f);
    for (size_t i = 0; i < sl_isa_count(); i++)
        fprintf(f, "  %-8s %s%s\n", sl_isa_at(i), sl_isa_description(i),
                sl_isa_supported(sl_isa_at(i)) ? "" : "  (not on this machine)");
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr, SL_EX_USAGE);
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help"))
        return usage(stdout, SL_EX_OK);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name))
            continue;
        if (commands[i].computes && sl_isa_status() != SL_OK) {
            fprintf(stderr, "softlabel: SOFTLABEL_ISA='%s': %s\n", getenv("SOFTLABEL_ISA"),
                    sl_status_str(sl_isa_status()));
            return SL_EX_CONFIG;
        }
        sl_signals_install();
        return commands[i].run(argc - 2, argv + 2);
    }
    fprintf(stderr, "softlabel: unknown command '%s'\n", name);
    return usage(stderr, SL_EX_USAGE);
}
