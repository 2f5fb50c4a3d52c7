/* log.h — one-line log records on stderr, filtered by level. */
#ifndef OW_LOG_H
#define OW_LOG_H

enum ow_log_level { OW_LOG_ERROR = 0, OW_LOG_WARN = 1, OW_LOG_INFO = 2, OW_LOG_DEBUG = 3 };

void ow_log_set_level(int level);
int ow_log_enabled(int level);
/* Writes "<UTC time> <LEVEL> <message>\n" atomically (one write call, at most 4 KiB). */
void ow_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
