/* The softlabel subcommands: each takes the arguments after its name, returns a sysexits code. */
#ifndef SL_TOOLS_COMMANDS_H
#define SL_TOOLS_COMMANDS_H

int sl_cmd_sample(int argc, char **argv);
int sl_cmd_info(int argc, char **argv);
int sl_cmd_metrics(int argc, char **argv);
int sl_cmd_score(int argc, char **argv);
int sl_cmd_gen(int argc, char **argv);
int sl_cmd_panel(int argc, char **argv);
int sl_cmd_eval(int argc, char **argv);

#endif
