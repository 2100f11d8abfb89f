/*
 * json.c: the JSON the commands print (--json): one object per line,
 * built with json-c so that it is always valid, empty strings as null.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "shoebox.h"

/*
 * Add key: value to obj, or key: null for an empty value. Control and bidi
 * characters and bytes that are not UTF-8 are escaped as in messages
 * (log_escape), so that JSON read by a person is as safe as a message.
 */
void
json_add_str(struct json_object *obj, const char *key, const char *value)
{
	char	*safe;
	size_t	 n;

	if (value == NULL || *value == '\0') {
		json_object_object_add(obj, key, NULL);
		return;
	}
	n = strlen(value) * 6 + 1;
	safe = xmalloc(n);
	json_object_object_add(obj, key, json_object_new_string(
	    log_escape(value, safe, n, 0)));
	free(safe);
}

/* Print one object on its own line and free it. */
void
json_print(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

/* What probe shows of a file, as a new JSON object (caller frees). */
struct json_object *
meta_json(const char *path, const struct meta *m)
{
	struct json_object	*o = json_object_new_object();
	char			 buf[4096];

	json_add_str(o, "path", log_path(path, buf, sizeof buf));
	json_add_str(o, "kind", kind_name(m->kind));
	json_add_str(o, "mime", m->mime);
	date_format(&m->taken, buf, sizeof buf);
	json_add_str(o, "taken", buf);
	date_format_utc(&m->taken, buf, sizeof buf);
	json_add_str(o, "taken_utc", buf);
	json_add_str(o, "date_source", m->date_source);
	json_add_str(o, "make", m->make);
	json_add_str(o, "model", m->model);
	if (m->error[0] != '\0')
		json_add_str(o, "warning", m->error);
	return o;
}
