/*
 * remote-sftp.c: SFTP through libcurl (libssh2). The host key must be in
 * known_hosts (checking is on unless host_key_check = no); the user logs in
 * with key_file or a password. Each file is written under a temporary name,
 * missing directories made by curl, then renamed into place and given its
 * modification time. A file of the same size already there is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "shoebox.h"
#include "remote.h"
#include "sigv4.h"

struct sftp_priv {
	char	*base;		/* sftp://host[:port] */
	char	*root;		/* remote directory, prefix included */
	char	*user;
	char	*password;
	char	*key_file;
	char	*pub_file;
	char	*known_hosts;	/* NULL: not checked */
};

struct sftp_call {
	struct sftp_priv	*s;
	char			*url;
};

static int
sftp_open(struct remote *r)
{
	struct sftp_priv	*s;
	const char		*v, *url, *home, *prefix, *path;
	char			*root;
	size_t			 n;

	s = xcalloc(1, sizeof *s);
	r->priv = s;
	if ((url = remote_get(r, "url")) != NULL) {
		if (strncasecmp(url, "sftp://", 7) != 0) {
			log_warnx("remote %s: url must be sftp://HOST[:PORT]"
			    "/PATH", r->name);
			return -1;
		}
		n = strcspn(url + 7, "/");
		s->base = strndup(url, 7 + n);
		path = url + 7 + n;
	} else if ((v = remote_get(r, "host")) != NULL) {
		if ((path = remote_get(r, "port")) != NULL)
			xasprintf(&s->base, "sftp://%s:%s", v, path);
		else
			xasprintf(&s->base, "sftp://%s", v);
		path = remote_get(r, "path");
	} else {
		log_warnx("remote %s: type sftp needs 'url = sftp://HOST/PATH'"
		    " (or host and path)", r->name);
		return -1;
	}
	if (path == NULL || *path == '\0')
		path = "/";
	prefix = remote_get(r, "prefix");
	root = remote_join(path, prefix ? prefix : "");
	if (*path == '/' && *root != '/') {
		xasprintf(&s->root, "/%s", root);
		free(root);
	} else
		s->root = root;
	if ((v = remote_get(r, "user")) == NULL) {
		log_warnx("remote %s: type sftp needs 'user ='", r->name);
		return -1;
	}
	s->user = xstrdup(v);
	if ((v = remote_get(r, "key_file")) != NULL) {
		s->key_file = xstrdup(v);
		xasprintf(&s->pub_file, "%s.pub", v);
		if (access(s->pub_file, R_OK) == -1) {
			free(s->pub_file);
			s->pub_file = NULL;
		}
	}
	if (remote_secret(r, "password", NULL, &s->password) == -1)
		return -1;
	if (config_get_bool(r->cfg, r->section, "host_key_check", 1)) {
		if ((v = remote_get(r, "known_hosts")) != NULL)
			s->known_hosts = xstrdup(v);
		else if ((home = getenv("HOME")) != NULL)
			xasprintf(&s->known_hosts, "%s/.ssh/known_hosts", home);
		if (s->known_hosts == NULL ||
		    access(s->known_hosts, R_OK) == -1) {
			log_warnx("remote %s: known_hosts %s cannot be read: "
			    "add the host's key (ssh-keyscan), set known_hosts"
			    " =, or (unsafe) host_key_check = no", r->name,
			    s->known_hosts ? s->known_hosts : "(no $HOME)");
			return -1;
		}
	}
	return 0;
}

static void
sftp_close(struct remote *r)
{
	struct sftp_priv	*s = r->priv;

	free(s->base);
	free(s->root);
	free(s->user);
	if (s->password != NULL)
		explicit_bzero(s->password, strlen(s->password));
	free(s->password);
	free(s->key_file);
	free(s->pub_file);
	free(s->known_hosts);
	free(s);
	r->priv = NULL;
}

/* The URL of a remote path (absolute, or relative to the home directory). */
static char *
sftp_url(struct sftp_priv *s, const char *path)
{
	char	*enc, *url;

	enc = sigv4_encode(path, 1);
	xasprintf(&url, "%s%s%s", s->base, *path == '/' ? "" : "/~/", enc);
	free(enc);
	return url;
}

/* xreq_prepare for SFTP: URL, login, host key checking. */
static int
sftp_prepare(struct xfer *x, struct xreq *rq, void *arg)
{
	struct sftp_call	*c = arg;
	struct sftp_priv	*s = c->s;
	CURL			*h = x->curl;

	rq->url = xstrdup(c->url);
	curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
	if (s->password != NULL)
		curl_easy_setopt(h, CURLOPT_PASSWORD, s->password);
	if (s->key_file != NULL) {
		curl_easy_setopt(h, CURLOPT_SSH_PRIVATE_KEYFILE, s->key_file);
		if (s->pub_file != NULL)
			curl_easy_setopt(h, CURLOPT_SSH_PUBLIC_KEYFILE,
			    s->pub_file);
	}
	curl_easy_setopt(h, CURLOPT_SSH_AUTH_TYPES, (long)(s->key_file ?
	    CURLSSH_AUTH_PUBLICKEY : 0) | (s->password ?
	    CURLSSH_AUTH_PASSWORD | CURLSSH_AUTH_KEYBOARD : 0));
	if (s->known_hosts != NULL)
		curl_easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS, s->known_hosts);
	return 0;
}

/* 1 when a file of the same size is there, 0 when not, or an error. */
static int
sftp_exists(struct xfer *x, const struct upload *up)
{
	struct sftp_call	c;
	struct xreq		rq;
	char			*path;
	int			rc;

	c.s = x->remote->priv;
	path = remote_join(c.s->root, up->relpath);
	c.url = sftp_url(c.s, path);
	xreq_init(&rq, "STAT");
	rq.nobody = 1;
	if ((rc = xreq_perform(x, &rq, sftp_prepare, &c)) == REMOTE_OK)
		/* curl reports no length (-1) for an empty file */
		rc = rq.status == 404 ? 0 : rq.length == (long long)up->size ||
		    (rq.length == -1 && up->size == 0);
	xreq_free(&rq);
	free(c.url);
	free(path);
	return rc;
}

/* A path quoted for curl's SFTP commands. */
static char *
sftp_quote(const char *path)
{
	char	*out = xmalloc(strlen(path) * 2 + 3), *o = out;

	*o++ = '"';
	for (; *path != '\0'; path++) {
		if (*path == '"' || *path == '\\')
			*o++ = '\\';
		*o++ = *path;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* xreq_prepare for the upload: also the commands that follow it. */
static int
sftp_prepare_put(struct xfer *x, struct xreq *rq, void *arg)
{
	const char	**cmds = (const char **)((struct sftp_call *)arg + 1);
	int		  i;

	for (i = 0; cmds[i] != NULL; i++)
		rq->postquote = curl_slist_append(rq->postquote, cmds[i]);
	rq->create_dirs = 1;
	return sftp_prepare(x, rq, arg);
}

static int
sftp_put(struct xfer *x, const struct upload *up)
{
	struct {
		struct sftp_call	 c;
		const char		*cmds[4];
	} call;
	struct sftp_priv	*s = x->remote->priv;
	struct xreq		 rq;
	struct tm		 tm;
	time_t			 t = (time_t)(up->mtime_ns / 1000000000);
	unsigned char		 md[32];
	char			*path, *tmp, *qp, *qt, *rm, *mv, *mt, *slash;
	char			 date[64], hex[65];
	int			 fd, rc;

	path = remote_join(s->root, up->relpath);
	slash = strrchr(path, '/');
	xasprintf(&tmp, "%.*s.%s.shoebox-tmp", slash ? (int)(slash - path + 1)
	    : 0, path, slash ? slash + 1 : path);
	qp = sftp_quote(path);
	qt = sftp_quote(tmp);
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	xasprintf(&rm, "*rm %s", qp);
	xasprintf(&mv, "rename %s %s", qt, qp);
	xasprintf(&mt, "*mtime \"%s\" %s", date, qp);
	call.cmds[0] = rm;
	call.cmds[1] = mv;
	call.cmds[2] = mt;
	call.cmds[3] = NULL;
	call.c.s = s;
	call.c.url = sftp_url(s, tmp);

	if ((fd = remote_open_file(x, up)) == -1) {
		rc = REMOTE_FAIL;
		goto out;
	}
	xreq_init(&rq, "PUT");
	rq.has_body = 1;
	rq.body.fd = fd;
	rq.body.len = up->size;
	rq.body.sha = EVP_MD_CTX_new();
	rc = xreq_perform(x, &rq, sftp_prepare_put, &call);
	if (rc == REMOTE_OK) {
		EVP_DigestFinal_ex(rq.body.sha, md, NULL);
		sigv4_hex(md, sizeof md, hex);
		if (strcasecmp(hex, up->sha256) != 0) {
			xfer_error(x, "the bytes sent differ from the "
			    "catalogue's SHA-256 (changed since import?)");
			rc = REMOTE_FAIL;
		}
	}
	xreq_free(&rq);
	close(fd);
out:
	free(call.c.url);
	free(rm);
	free(mv);
	free(mt);
	free(qp);
	free(qt);
	free(tmp);
	free(path);
	return rc;
}

const struct remote_ops remote_sftp_ops = {
	"sftp", sftp_open, sftp_exists, sftp_put, sftp_close
};
