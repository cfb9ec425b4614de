/* Scoring parameters for the softlabel command: from a JSON file and from option values. */
#ifndef SL_TOOLS_CONFIG_H
#define SL_TOOLS_CONFIG_H

#include "softlabel.h"

/* Reads a JSON object whose members are sl_proxy_params field names (w_progress, w_rework,
 * w_verifier, w_engagement, sigmoid_k, rework_decay, rejection_decay, misuse_decay) with number
 * values into *params; fields the file does not name keep their value. An unknown or repeated
 * field, a value that is not a number, or malformed JSON is an error. Returns 0, or a sysexits
 * code (66 unreadable, 78 bad content) after printing "PATH:LINE:COLUMN: what" on stderr.
 * Ranges are not checked here: sl_proxy_init does that. */
int sl_config_load(const char *path, sl_proxy_params *params);

/* Parses exactly `count` comma-separated numbers from text into out. Returns 0, or -1 when the
 * text has another count or an entry is not a number. */
int sl_parse_number_list(const char *text, double *out, int count);

#endif
