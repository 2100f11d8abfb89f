/*
 * verify-remote.h: "shoebox verify --remote NAME" (verify-remote.c), for
 * cmd-verify.c, which parses the options.
 */
#ifndef VERIFY_REMOTE_H
#define VERIFY_REMOTE_H

#include <stdint.h>

struct sb_ctx;

struct vr_opts {
	const char	*remote;	/* its name in the config */
	const char	*since;		/* catalogued on or after, or NULL */
	double		 pct;		/* --sample: a share, or 100 */
	int		 sample;
	int		 full;		/* --download: read every copy back */
	int		 resend;	/* --resend: queue missing, changed */
	int		 progress;	/* -1: on a terminal */
};

int	verify_remote(struct sb_ctx *ctx, const struct vr_opts *o);
void	verify_json_summary(const char *remote, uint64_t checked,
	    const char *const *names, const unsigned long *count, int n,
	    uint64_t bytes, double seconds, int64_t resent, int64_t folders);

#endif /* VERIFY_REMOTE_H */
