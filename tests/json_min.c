#include "json_min.h"

#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *s;
} parser;

static void skip_space(parser *p)
{
    while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
        p->s++;
}

static int parse_value(parser *p, json_value *v);

static char *parse_string(parser *p)
{
    if (*p->s != '"')
        return NULL;
    const char *start = ++p->s;
    while (*p->s && *p->s != '"') {
        if (*p->s == '\\' && p->s[1])
            p->s++;
        p->s++;
    }
    if (*p->s != '"')
        return NULL;
    size_t n = (size_t)(p->s - start);
    char *str = malloc(n + 1);
    memcpy(str, start, n); /* escapes kept as written: the golden keys have none */
    str[n] = '\0';
    p->s++;
    return str;
}

static int append(json_value *v, size_t *cap, json_value item, char *key)
{
    if (v->len == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        v->items = realloc(v->items, *cap * sizeof *v->items);
        if (v->type == JSON_OBJECT)
            v->keys = realloc(v->keys, *cap * sizeof *v->keys);
    }
    v->items[v->len] = item;
    if (v->type == JSON_OBJECT)
        v->keys[v->len] = key;
    v->len++;
    return 0;
}

static int parse_container(parser *p, json_value *v, char close)
{
    size_t cap = 0;
    p->s++;
    skip_space(p);
    if (*p->s == close) {
        p->s++;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        skip_space(p);
        if (v->type == JSON_OBJECT) {
            key = parse_string(p);
            skip_space(p);
            if (!key || *p->s != ':') {
                free(key);
                return -1;
            }
            p->s++;
        }
        json_value item;
        if (parse_value(p, &item) != 0) {
            free(key);
            return -1;
        }
        append(v, &cap, item, key);
        skip_space(p);
        if (*p->s == ',') {
            p->s++;
            continue;
        }
        if (*p->s != close)
            return -1;
        p->s++;
        return 0;
    }
}

static int parse_value(parser *p, json_value *v)
{
    memset(v, 0, sizeof *v);
    skip_space(p);
    char c = *p->s;
    if (c == '{') {
        v->type = JSON_OBJECT;
        return parse_container(p, v, '}');
    }
    if (c == '[') {
        v->type = JSON_ARRAY;
        return parse_container(p, v, ']');
    }
    if (c == '"') {
        v->type = JSON_STRING;
        return (v->string = parse_string(p)) ? 0 : -1;
    }
    if (!strncmp(p->s, "null", 4)) {
        p->s += 4;
        v->type = JSON_NULL;
        return 0;
    }
    if (!strncmp(p->s, "true", 4) || !strncmp(p->s, "false", 5)) {
        v->type = JSON_BOOL;
        v->number = c == 't';
        p->s += c == 't' ? 4 : 5;
        return 0;
    }
    char *end;
    v->type = JSON_NUMBER;
    v->number = strtod(p->s, &end);
    if (end == p->s)
        return -1;
    v->is_integer = 1;
    for (const char *q = p->s; q < end; q++)
        if (*q == '.' || *q == 'e' || *q == 'E')
            v->is_integer = 0;
    p->s = end;
    return 0;
}

int json_parse(const char *text, json_value *out)
{
    parser p = {text};
    if (parse_value(&p, out) != 0) {
        json_free(out);
        return -1;
    }
    return 0;
}

const json_value *json_get(const json_value *object, const char *key)
{
    if (!object || object->type != JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < object->len; i++)
        if (!strcmp(object->keys[i], key))
            return &object->items[i];
    return NULL;
}

void json_free(json_value *v)
{
    for (size_t i = 0; i < v->len; i++) {
        json_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    memset(v, 0, sizeof *v);
}
