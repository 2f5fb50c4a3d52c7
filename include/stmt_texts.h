/* stmt_texts.h — the statements' SQL texts by name: the table that scripts/sql_embed.sh
 * generates from the files of sql/statements/ at build time (build/gen/stmt_texts.c), where
 * ow_stmt_sql (stmt_args.c) finds each statement's text. */
#ifndef OW_STMT_TEXTS_H
#define OW_STMT_TEXTS_H

struct ow_stmt_text {
	const char *name;  /* the block's `-- name:`, a statement's name in stmts.c */
	const char *where; /* "sql/statements/FILE.sql:LINE" of that line */
	const char *sql;   /* the text sent, its fragments included */
};

/* Every statement block of sql/statements/, in file order. */
extern const struct ow_stmt_text ow_stmt_texts[];
extern const int ow_stmt_ntexts;

#endif
