/* png.c — a chart's SVG as PNG (for social cards, which take no SVG), drawn by librsvg's
 * rsvg-convert run as a child process: the rendering libraries (cairo, pango, glib) stay out
 * of the server's address space, a fault or a stall there costs one request (killed after
 * ORGWATCH_PNG_TIMEOUT_MS), and the server builds and runs without them. */
#include "png.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PNG_TIMEOUT_MS 10000
#define PNG_MAX_BYTES ((size_t)32 << 20)

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* Feeds svg to the child's stdin (*in, closed and set to -1 once all is written) while
 * reading its stdout (out) into png, until it closes stdout, the deadline passes or png is
 * full. 0 or -1. (SIGPIPE is ignored by the server: a child gone early is a write error.) */
static int pump(int *inp, int out, const char *svg, size_t n, struct ow_buf *png)
{
	int in = *inp;
	size_t sent = 0;
	long deadline = now_ms() + PNG_TIMEOUT_MS;
	char chunk[65536];
	for (;;) {
		struct pollfd fds[2] = {{out, POLLIN, 0}, {in, POLLOUT, 0}};
		int nfds = in >= 0 ? 2 : 1;
		long left = deadline - now_ms();
		if (left <= 0)
			return -1;
		int k = poll(fds, (nfds_t)nfds, (int)left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		if (in >= 0 && fds[1].revents) {
			ssize_t w = write(in, svg + sent, n - sent);
			if (w < 0 && errno != EAGAIN && errno != EINTR)
				return -1;
			sent += w > 0 ? (size_t)w : 0;
			if (sent == n || (fds[1].revents & (POLLERR | POLLHUP))) {
				close(in);
				in = *inp = -1;
			}
		}
		if (fds[0].revents) {
			ssize_t r = read(out, chunk, sizeof chunk);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0)
				return 0;
			if (png->len + (size_t)r > PNG_MAX_BYTES ||
			    ow_buf_append(png, chunk, (size_t)r) != 0)
				return -1;
		}
	}
}

int ow_png_from_svg(const char *svg, size_t n, struct ow_buf *png)
{
	int to_child[2], from_child[2];
	if (pipe2(to_child, O_CLOEXEC) != 0)
		return OW_PNG_FAILED;
	if (pipe2(from_child, O_CLOEXEC) != 0) {
		close(to_child[0]), close(to_child[1]);
		return OW_PNG_FAILED;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to_child[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from_child[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {"rsvg-convert", "--format=png", NULL};
	pid_t pid;
	int err = posix_spawnp(&pid, "rsvg-convert", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(to_child[0]);
	close(from_child[1]);
	if (err != 0) {
		close(to_child[1]);
		close(from_child[0]);
		return err == ENOENT ? OW_PNG_UNAVAILABLE : OW_PNG_FAILED;
	}
	fcntl(to_child[1], F_SETFL, O_NONBLOCK);
	int in = to_child[1];
	int rc = pump(&in, from_child[0], svg, n, png);
	if (in >= 0)
		close(in);
	close(from_child[0]);
	if (rc != 0)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return OW_PNG_UNAVAILABLE; /* the shell-less spawn found no program after all */
	if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || png->len < 8 ||
	    memcmp(png->data, "\x89PNG\r\n\x1a\n", 8) != 0)
		return OW_PNG_FAILED;
	return OW_PNG_OK;
}
