/* A minimal JSON reader for the tests (the golden metrics are JSON Lines). Numbers remember
 * whether they were written as integers, so tests can check the reference's value types. */
#ifndef SL_TEST_JSON_MIN_H
#define SL_TEST_JSON_MIN_H

#include <stddef.h>

typedef enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value {
    json_type type;
    int is_integer;            /* JSON_NUMBER written without '.', 'e' or 'E' */
    double number;             /* JSON_NUMBER (strtod), JSON_BOOL (0 or 1) */
    char *string;              /* JSON_STRING */
    size_t len;                /* JSON_ARRAY / JSON_OBJECT: number of items */
    struct json_value *items;  /* array items, or object values */
    char **keys;               /* object keys, in order */
} json_value;

/* Parses one JSON text; returns 0, or -1 (and frees what it built) on a syntax error. */
int json_parse(const char *text, json_value *out);
/* The value of key in an object, or NULL. */
const json_value *json_get(const json_value *object, const char *key);
void json_free(json_value *v);

#endif
