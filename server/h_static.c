/* h_static.c — the built-in dashboard: GET / and GET /assets/{file} from ORGWATCH_HOME/web.
 * Only plain file names with a known extension are served (no paths, no dot files). */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "handlers.h"
#include "problem.h"
#include "req.h"

static char web_dir[1100];

void ow_static_init(const char *home)
{
	snprintf(web_dir, sizeof web_dir, "%s/web", home);
}

struct media {
	const char *ext;
	const char *type;
};

static const struct media media_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".txt", "text/plain; charset=utf-8"},
};

/* The media type for a safe file name, or NULL when the name may not be served. */
static const char *media_type(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 100 || name[0] == '.' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
			 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return NULL;
	for (size_t i = 0; i < sizeof media_types / sizeof media_types[0]; i++) {
		size_t e = strlen(media_types[i].ext);
		if (n > e && strcmp(name + n - e, media_types[i].ext) == 0)
			return media_types[i].type;
	}
	return NULL;
}

static int serve_file(struct ow_req *r, const char *name)
{
	const char *type = media_type(name);
	if (!type)
		return ow_problem_replyf(r, OW_P_NOT_FOUND, "No asset named '%s'.", name);
	char path[1300];
	snprintf(path, sizeof path, "%s/%s", web_dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return ow_problem_replyf(r, OW_P_NOT_FOUND, "No asset named '%s'.", name);
	struct ow_buf b;
	ow_buf_init(&b, 8 << 20);
	int rc = ow_buf_append_file(&b, f);
	fclose(f);
	static const char *const headers[] = {"Cache-Control", "no-cache", "X-Content-Type-Options",
					      "nosniff", NULL};
	rc = rc ? ow_problem_reply(r, OW_P_INTERNAL, "The asset is too large.", NULL, NULL)
		: ow_reply(r, 200, type, b.data ? b.data : "", b.len, headers);
	ow_buf_free(&b);
	return rc;
}

int ow_h_dashboard(struct ow_req *r)
{
	return serve_file(r, "index.html");
}

int ow_h_asset(struct ow_req *r)
{
	return serve_file(r, r->params.values[0]);
}
