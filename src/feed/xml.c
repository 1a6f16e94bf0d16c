/*
 * XML feeds through libxml2's streaming xmlTextReader.
 *
 * The item element is source.item_path (matched at any depth); in an RSS feed (root rss or RSS 1.0's rdf:RDF)
 * it is item and in an Atom feed (root feed in the Atom namespace) entry, at any depth (Google Merchant feeds
 * are either); else it is the first element right under the root that has element children
 * (<products><product>...). Namespaced elements keep their prefixed name ("g:price"); normalize.c reads it as
 * "price" too. A row holds the item's attributes under their own names and the text of each element inside
 * it: a grandchild is named "child_grandchild", an attribute of a child "child_attr", and a name met again in
 * the same item gets its values joined with '|' (<image>a</image><image>b</image> gives image = "a|b").
 * CDATA is text like any other.
 *
 * Internal entities (<!DOCTYPE x [<!ENTITY brand "Acme">]>) are expanded; neither the network nor external
 * entities are ever read (no XXE: an external entity reads as nothing). libxml2 (without XML_PARSE_HUGE)
 * refuses an entity that expands out of proportion to the document, such as the "billion laughs", and
 * every value stays under max_field_bytes whatever its entities expand to.
 */
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feed/encoding.h"
#include "feed/source.h"
#include "formats.h"

#define HEAD_SIZE 4096

#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_arg;
#else
typedef xmlErrorPtr xml_error_arg;
#endif

struct xml_field {
	struct strbuf name;
	struct strbuf value;
};

/* An element open inside the item. */
struct open_element {
	size_t path_len;   /* of the path before this element's name */
	long field;        /* its field, -1 until it has text */
	bool has_children; /* element children: an empty text is then no field */
};

struct xml_src {
	struct source *src;
	struct text_reader *in;
	xmlTextReaderPtr reader;
	size_t max_field;
	bool empty, done;

	char head[HEAD_SIZE]; /* the first text, read at open to tell an empty file */
	size_t head_len, head_pos;
	struct source_error read_err; /* a read or conversion error met inside libxml2's callback */
	bool read_failed;
	char parse_err[400]; /* libxml2's first error */
	long parse_err_line;

	char *item_name; /* item_path, or learned from the root or the first item */
	bool items_anywhere; /* item_name is matched at any depth, not only right under the root */

	struct xml_field *fields;
	size_t n_fields, fields_cap;
	struct open_element *stack;
	size_t depth, stack_cap;
	struct strbuf path;
	long overflow_line; /* a value grew past max_field */
	long items;         /* read so far: a row's record.item */
	const char **names, **values;
	size_t rec_cap;
};

static xmlParserInputPtr refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/* libxml2 2.9 still reads external entities to check them even when it does not expand them. */
static void refuse_external_entities(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(refuse_entity);
}

static int read_cb(void *ctx, char *buf, int len)
{
	struct xml_src *x = ctx;
	if (x->head_pos < x->head_len) {
		size_t n = x->head_len - x->head_pos;
		if (n > (size_t)len)
			n = (size_t)len;
		memcpy(buf, x->head + x->head_pos, n);
		x->head_pos += n;
		return (int)n;
	}
	long n = text_reader_read(x->in, buf, (size_t)len, &x->read_err);
	x->src->bytes_read = text_reader_bytes(x->in);
	if (n < 0)
		x->read_failed = true;
	return (int)n;
}

static void on_error(void *ctx, xml_error_arg e)
{
	struct xml_src *x = ctx;
	if (x->parse_err[0] || e->level < XML_ERR_ERROR)
		return;
	str_copy(x->parse_err, e->message ? e->message : "invalid XML", sizeof(x->parse_err));
	x->parse_err[strcspn(x->parse_err, "\n")] = '\0';
	if (e->code == XML_ERR_ENTITY_LOOP)
		snprintf(x->parse_err, sizeof(x->parse_err), "entity expansion refused: the document's entities expand "
		         "far beyond its size (an entity bomb such as the billion laughs)");
	x->parse_err_line = e->line;
}

static int fail_parse(struct xml_src *x, struct source_error *err)
{
	if (x->read_failed) {
		*err = x->read_err;
		return -1;
	}
	long line = x->parse_err_line ? x->parse_err_line : xmlTextReaderGetParserLineNumber(x->reader);
	return source_fail(err, line, "invalid XML: %s", x->parse_err[0] ? x->parse_err : "the document ends early");
}

/* The line of the element the reader is on; node lines stop counting at 65535, the parser's does not. */
static long current_line(struct xml_src *x)
{
	long line = xmlGetLineNo(xmlTextReaderCurrentNode(x->reader));
	return line > 0 && line < 65535 ? line : xmlTextReaderGetParserLineNumber(x->reader);
}

static const char *reader_name(struct xml_src *x)
{
	return (const char *)xmlTextReaderConstName(x->reader);
}

/* The field called path, created empty, or when it exists already its value gets a '|' for the next one. */
static long field_occurrence(struct xml_src *x, const char *name, size_t len)
{
	for (size_t i = 0; i < x->n_fields; i++) {
		struct xml_field *f = &x->fields[i];
		if (f->name.len == len && memcmp(f->name.buf, name, len) == 0) {
			sb_addc(&f->value, '|');
			return (long)i;
		}
	}
	x->fields = array_grow(x->fields, &x->fields_cap, x->n_fields + 1, sizeof(*x->fields));
	struct xml_field *f = &x->fields[x->n_fields];
	sb_reset(&f->name);
	sb_add(&f->name, name, len);
	sb_reset(&f->value);
	sb_add(&f->value, "", 0);
	return (long)x->n_fields++;
}

static void add_value(struct xml_src *x, long field, const char *text, long line)
{
	struct strbuf *v = &x->fields[field].value;
	if (v->len + strlen(text) > x->max_field) {
		if (!x->overflow_line)
			x->overflow_line = line;
		return;
	}
	sb_adds(v, text);
}

/* Attributes of the element the reader is on, named after it (path_attr), or bare on the item itself. */
static void add_attributes(struct xml_src *x, long line)
{
	if (xmlTextReaderHasAttributes(x->reader) != 1)
		return;
	size_t base = x->path.len;
	while (xmlTextReaderMoveToNextAttribute(x->reader) == 1) {
		const char *name = reader_name(x);
		if (strcmp(name, "xmlns") == 0 || str_starts_with(name, "xmlns:"))
			continue;
		if (base)
			sb_addc(&x->path, '_');
		sb_adds(&x->path, name);
		long field = field_occurrence(x, x->path.buf, x->path.len);
		add_value(x, field, (const char *)xmlTextReaderConstValue(x->reader), line);
		x->path.len = base;
		x->path.buf[base] = '\0';
	}
	xmlTextReaderMoveToElement(x->reader);
}

static void open_element(struct xml_src *x)
{
	if (x->depth)
		x->stack[x->depth - 1].has_children = true;
	x->stack = array_grow(x->stack, &x->stack_cap, x->depth + 1, sizeof(*x->stack));
	x->stack[x->depth++] = (struct open_element){.path_len = x->path.len, .field = -1};
	if (x->path.len)
		sb_addc(&x->path, '_');
	sb_adds(&x->path, reader_name(x));
}

static void add_text(struct xml_src *x, long line)
{
	if (!x->depth)
		return; /* text straight inside the item, between its elements */
	struct open_element *e = &x->stack[x->depth - 1];
	if (e->field < 0)
		e->field = field_occurrence(x, x->path.buf, x->path.len);
	add_value(x, e->field, (const char *)xmlTextReaderConstValue(x->reader), line);
}

static void close_element(struct xml_src *x)
{
	struct open_element *e = &x->stack[--x->depth];
	if (e->field < 0 && !e->has_children)
		field_occurrence(x, x->path.buf, x->path.len); /* <tag/> and <tag></tag> are empty values */
	x->path.len = e->path_len;
	x->path.buf[e->path_len] = '\0';
}

/*
 * Reads the item the reader is on into fields, up to its end tag. Returns 1 when it has element children,
 * 0 when not, -1 on a fatal error.
 */
static int read_item(struct xml_src *x, long line, struct source_error *err)
{
	x->n_fields = 0;
	x->depth = 0;
	x->overflow_line = 0;
	sb_reset(&x->path);
	sb_add(&x->path, "", 0);
	add_attributes(x, line);
	int item_depth = xmlTextReaderDepth(x->reader);
	bool has_children = false;
	if (!xmlTextReaderIsEmptyElement(x->reader)) {
		for (;;) {
			if (xmlTextReaderRead(x->reader) != 1)
				return fail_parse(x, err);
			int type = xmlTextReaderNodeType(x->reader);
			if (type == XML_READER_TYPE_ELEMENT) {
				has_children = true;
				open_element(x);
				add_attributes(x, line);
				if (xmlTextReaderIsEmptyElement(x->reader))
					close_element(x);
			} else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
				add_text(x, line);
			} else if (type == XML_READER_TYPE_END_ELEMENT) {
				if (xmlTextReaderDepth(x->reader) == item_depth)
					break;
				close_element(x);
			}
		}
	}
	if (x->overflow_line) {
		char limit[32];
		format_size_setting(x->max_field, limit, sizeof(limit));
		return source_fail(err, x->overflow_line, "a value larger than %s (import.max_field_bytes) in the item "
		                   "that starts on this line", limit);
	}
	return has_children;
}

/* Syndication feeds by their root: its local name and namespace (NULL: none), and their item element. */
static const struct {
	const char *root, *ns, *item;
} syndication_roots[] = {
	{"rss", NULL, "item"},                                            /* RSS 0.9x and 2.0 */
	{"RDF", "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "item"},   /* RSS 1.0 */
	{"feed", "http://www.w3.org/2005/Atom", "entry"},                 /* Atom; a bare <feed> is any XML */
};

/* The item element of a syndication feed's root, with the root's prefix for Atom's (RSS 1.0's is rdf's). */
static void learn_syndication_item(struct xml_src *x)
{
	const char *local = (const char *)xmlTextReaderConstLocalName(x->reader);
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(x->reader);
	const char *prefix = (const char *)xmlTextReaderConstPrefix(x->reader);
	for (size_t i = 0; i < ARRAY_LEN(syndication_roots); i++) {
		const char *want = syndication_roots[i].ns;
		if (strcmp(local, syndication_roots[i].root) != 0 || (want ? !ns || strcmp(ns, want) != 0 : ns != NULL))
			continue;
		const char *item = syndication_roots[i].item;
		x->item_name = prefix && strcmp(item, "entry") == 0 ? xasprintf("%s:%s", prefix, item) : xstrdup(item);
		x->items_anywhere = true;
		return;
	}
}

static bool may_be_item(struct xml_src *x)
{
	if (xmlTextReaderNodeType(x->reader) != XML_READER_TYPE_ELEMENT)
		return false;
	if (!x->item_name && xmlTextReaderDepth(x->reader) == 0)
		learn_syndication_item(x);
	if (x->item_name && strcmp(reader_name(x), x->item_name) != 0)
		return false;
	return x->items_anywhere || xmlTextReaderDepth(x->reader) == 1;
}

static void fill_record(struct xml_src *x, struct record *rec, long line)
{
	if (x->n_fields > x->rec_cap) {
		x->rec_cap = x->n_fields * 2;
		x->names = xrealloc(x->names, x->rec_cap * sizeof(*x->names));
		x->values = xrealloc(x->values, x->rec_cap * sizeof(*x->values));
	}
	for (size_t i = 0; i < x->n_fields; i++) {
		x->names[i] = x->fields[i].name.buf;
		x->values[i] = x->fields[i].value.buf;
	}
	rec->n = x->n_fields;
	rec->names = x->names;
	rec->values = x->values;
	rec->line = line;
	rec->problem = NULL; /* libxml2 hands out only well-formed UTF-8 */
}

static int xml_next(struct source *src, struct record *rec, struct source_error *err)
{
	struct xml_src *x = src->impl;
	while (!x->empty && !x->done) {
		int rc = xmlTextReaderRead(x->reader);
		if (rc < 0 || x->read_failed)
			return fail_parse(x, err);
		if (rc == 0) {
			x->done = true;
			break;
		}
		if (!may_be_item(x))
			continue;
		long line = current_line(x);
		char *name = x->item_name ? NULL : xstrdup(reader_name(x));
		rc = read_item(x, line, err);
		if (rc < 0) {
			free(name);
			return -1;
		}
		if (name && rc == 0) {
			free(name); /* <count>3</count> before the items: not one of them */
			continue;
		}
		if (name)
			x->item_name = name;
		fill_record(x, rec, line);
		rec->item = ++x->items;
		return 1;
	}
	return 0;
}

static void xml_close(struct source *src)
{
	struct xml_src *x = src->impl;
	if (!x)
		return;
	if (x->reader)
		xmlFreeTextReader(x->reader);
	text_reader_close(x->in);
	for (size_t i = 0; i < x->fields_cap; i++) {
		sb_free(&x->fields[i].name);
		sb_free(&x->fields[i].value);
	}
	free(x->fields);
	free(x->stack);
	sb_free(&x->path);
	free(x->names);
	free(x->values);
	free(x->item_name);
	free(x);
	src->impl = NULL;
}

static int xml_open(struct source *src, const char *path, struct source_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, refuse_external_entities);
	struct text_reader *in = source_text_open(src, path, err);
	if (!in)
		return -1;
	struct xml_src *x = xcalloc(1, sizeof(*x));
	src->impl = x;
	x->src = src;
	x->in = in;
	x->max_field = source_max_field(src);
	if (src->opts.item_path)
		x->item_name = xstrdup(src->opts.item_path);
	x->items_anywhere = src->opts.item_path != NULL;
	long n = text_reader_read(in, x->head, sizeof(x->head), err);
	src->bytes_read = text_reader_bytes(in);
	if (n < 0) {
		xml_close(src);
		return -1;
	}
	x->head_len = (size_t)n;
	x->empty = n == 0; /* a zero-byte file: no rows, the pipeline decides */
	if (x->empty)
		return 0;
	/* Text we converted is UTF-8 whatever the declaration says; otherwise libxml2 follows the declaration. */
	bool converted = text_reader_converted(in);
	int options = XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT |
	              (converted ? XML_PARSE_IGNORE_ENC : 0);
	x->reader = xmlReaderForIO(read_cb, NULL, x, path, converted ? "UTF-8" : NULL, options);
	if (!x->reader) {
		source_fail(err, 0, "cannot start the XML reader for %s", path);
		xml_close(src);
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(x->reader, on_error, x);
	return 0;
}

const struct source_ops xml_source_ops = {
	.name = "xml",
	.open = xml_open,
	.next = xml_next,
	.close = xml_close,
};
