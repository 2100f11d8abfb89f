/*
 * remote-sftp.c: SFTP through libcurl (libssh2). The host key is pinned by
 * its SHA-256 fingerprint (host_key_sha256) or must be in known_hosts
 * (checking is on unless host_key_check = no); the user logs in with
 * key_file or a password. What libssh2 1.10 (Debian 12) cannot do with
 * OpenSSH 8.8 and later (ssh-rsa, host key or login) is said in the
 * messages, with the fix. Each file is written under a temporary
 * name beside its final one (.shoebox-tmp.*, recorded in the catalogue
 * first so that the next sync removes it if this one is killed), missing
 * directories made by curl, given its modification time, and only then
 * renamed into place: a plain SFTP rename, which OpenSSH's server refuses
 * when the name exists, after a check that it does not (for servers whose
 * rename replaces). A file already there counts as this one only once it
 * is read back and hashed. A server's disk being full is only "failure"
 * in SFTP: after a failed upload the server is asked what is free there
 * (statvfs@openssh.com, curl's statvfs command), and a file that does
 * not fit, or a disk without inodes, is said as the dir remote says it;
 * what was found is kept, so that the files as big are not tried again.
 */
#include <limits.h>
#include <pthread.h>
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
#include "remote-sftp.h"

struct sftp_priv {
	char	*base;		/* sftp://host[:port] */
	char	*root;		/* remote directory, prefix included */
	char	*user;
	char	*password;
	char	*key_file;
	char	*pub_file;
	char	*known_hosts;	/* NULL: not checked */
	char	*pins[8];	/* host_key_sha256: base64 fingerprints */
	int	 npins;
	char	*hints[3];	/* remote.hint_hostkey, _kex, _login */
	pthread_mutex_t	lock;	/* of free_known */
	long long free_known;	/* bytes free on the server's disk, as last
				   asked and less what went up since; or -1 */
};

struct sftp_call {
	struct sftp_priv	*s;
	char			*url;
};

/*
 * Is FILE (a private key) an RSA key? From its .pub (pub, may be NULL) or
 * its PEM header; -1 when it cannot tell (an OpenSSH-format key alone).
 */
static int
sftp_key_is_rsa(const char *file, const char *pub)
{
	char	 line[64];
	FILE	*f;
	int	 rsa = -1;

	if ((f = fopen(pub != NULL ? pub : file, "re")) == NULL)
		return -1;
	if (fgets(line, sizeof line, f) != NULL) {
		if (pub != NULL)
			rsa = strncmp(line, "ssh-rsa ", 8) == 0;
		else if (strncmp(line, "-----BEGIN RSA ", 15) == 0)
			rsa = 1;
		else if (strncmp(line, "-----BEGIN OPENSSH ", 19) != 0)
			rsa = 0;
	}
	fclose(f);
	return rsa;
}

/*
 * What to say when the host key is refused, the key exchange fails or the
 * login is refused, with the commands that fix it for this host.
 */
static void
sftp_hints(struct remote *r, struct sftp_priv *s)
{
	const char	*host = s->base + 7, *at, *end, *port = NULL;
	char		*scan;
	int		 rsa;

	if ((at = strrchr(host, '@')) != NULL)
		host = at + 1;
	end = host + strlen(host);
	if (*host == '[' && (end = strchr(host, ']')) != NULL) {
		port = end[1] == ':' ? end + 2 : NULL;
		host++;
	} else if ((end = strchr(host, ':')) != NULL)
		port = end + 1;
	else
		end = host + strlen(host);
	if (port != NULL)
		xasprintf(&scan, "-p %s %.*s", port, (int)(end - host), host);
	else
		xasprintf(&scan, "%.*s", (int)(end - host), host);
	if (s->npins > 0)
		xasprintf(&s->hints[0], "not in host_key_sha256; this "
		    "libssh2 takes the server's ECDSA key if it has one, else "
		    "its Ed25519 key: compare with ssh-keyscan %s | ssh-keygen "
		    "-lf -", scan);
	else
		xasprintf(&s->hints[0], "host key not in known_hosts %s, or "
		    "changed: check known_hosts against ssh-keyscan -t ed25519 "
		    "%s", s->known_hosts ? s->known_hosts : "", scan);
	if (s->npins > 0)
		xasprintf(&s->hints[1], "the server offers no host key this "
		    "libssh2 can use (ECDSA or Ed25519; OpenSSH 8.8 and later "
		    "refuse ssh-rsa)");
	else
		xasprintf(&s->hints[1], "no host key type in common: libssh2 "
		    "asks only for the type of the first known_hosts line for "
		    "the host (or of the first hashed line), and OpenSSH 8.8 "
		    "and later refuse ssh-rsa: put the ed25519 key first "
		    "(ssh-keyscan -t ed25519 %s > FILE, known_hosts = FILE), or "
		    "set host_key_sha256 = the fingerprints ssh-keyscan %s | "
		    "ssh-keygen -lf - prints", scan, scan);
	rsa = s->key_file != NULL ? sftp_key_is_rsa(s->key_file, s->pub_file) :
	    0;
	if (rsa != 0)
		xasprintf(&s->hints[2], "check user and key_file: %s, which "
		    "this libssh2 signs with ssh-rsa (SHA-1), refused by "
		    "OpenSSH 8.8 and later: use an ed25519 key (ssh-keygen -t "
		    "ed25519)", rsa == 1 ? "it is an RSA key" : "if it is an "
		    "RSA key");
	free(scan);
	r->hint_hostkey = s->hints[0];
	r->hint_kex = s->hints[1];
	r->hint_login = s->hints[2];
}

/*
 * host_key_sha256: fingerprints as ssh-keygen -l prints them (SHA256:
 * and 43 characters of base64, the prefix optional), separated by spaces
 * or commas, into s->pins. 0, or -1 when one is not a fingerprint.
 */
static int
sftp_pins(struct sftp_priv *s, const char *v)
{
	size_t	n;

	for (;;) {
		v += strspn(v, " \t,");
		if (*v == '\0')
			return s->npins > 0 ? 0 : -1;
		if (strncmp(v, "SHA256:", 7) == 0)
			v += 7;
		n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/");
		if (n != 43 || s->npins == (int)(sizeof s->pins /
		    sizeof s->pins[0]))
			return -1;
		s->pins[s->npins++] = strndup(v, n);
		v += n;
		v += strspn(v, "=");
		if (*v != '\0' && strchr(" \t,", *v) == NULL)
			return -1;
	}
}

/*
 * curl's host key callback when the key is pinned: is the key the server
 * showed one of host_key_sha256? If not, x->note says which it was.
 */
static int
sftp_hostkey(void *arg, int type, const char *key, size_t len)
{
	struct xfer		*x = arg;
	struct sftp_priv	*s = x->remote->priv;
	unsigned char		 md[32];
	char			 b64[48];
	int			 i;

	EVP_Digest(key, len, md, NULL, EVP_sha256(), NULL);
	remote_base64(md, sizeof md, b64);
	b64[43] = '\0';
	for (i = 0; i < s->npins; i++)
		if (strcmp(s->pins[i], b64) == 0)
			return CURLKHMATCH_OK;
	snprintf(x->note, sizeof x->note, "the server showed its %s key, "
	    "SHA256:%s", type == CURLKHTYPE_ED25519 ? "Ed25519" : type ==
	    CURLKHTYPE_ECDSA ? "ECDSA" : type == CURLKHTYPE_RSA ? "RSA" :
	    "other", b64);
	return CURLKHMATCH_MISMATCH;
}

static int
sftp_open(struct remote *r)
{
	struct sftp_priv	*s;
	const char		*v, *url, *home, *prefix, *path;
	char			*root;
	size_t			 n;

	s = xcalloc(1, sizeof *s);
	pthread_mutex_init(&s->lock, NULL);
	s->free_known = -1;
	r->priv = s;
	if ((url = remote_get(r, "url")) != NULL) {
		if (strncasecmp(url, "sftp://", 7) != 0) {
			log_warnx("remote %s: url must be sftp://HOST[:PORT]"
			    "/PATH", r->name);
			return -1;
		}
		n = strcspn(url + 7, "/");
		s->base = xstrndup(url, 7 + n);
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
	if ((v = remote_get(r, "host_key_sha256")) != NULL &&
	    sftp_pins(s, v) == -1) {
		log_warnx("remote %s: host_key_sha256 must be fingerprints as "
		    "ssh-keygen -l prints them (SHA256: and 43 characters), "
		    "at most 8", r->name);
		return -1;
	}
	if (s->npins == 0 &&
	    config_get_bool(r->cfg, r->section, "host_key_check", 1)) {
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
	sftp_hints(r, s);
	return 0;
}

static void
sftp_close(struct remote *r)
{
	struct sftp_priv	*s = r->priv;
	int			 i;

	free(s->base);
	free(s->root);
	free(s->user);
	if (s->password != NULL)
		explicit_bzero(s->password, strlen(s->password));
	free(s->password);
	free(s->key_file);
	free(s->pub_file);
	free(s->known_hosts);
	for (i = 0; i < s->npins; i++)
		free(s->pins[i]);
	for (i = 0; i < 3; i++)
		free(s->hints[i]);
	pthread_mutex_destroy(&s->lock);
	free(s);
	r->priv = NULL;
	r->hint_hostkey = r->hint_kex = r->hint_login = NULL;
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

/* c for the file name below the remote's root (free c->url after). */
static void
sftp_call_at(struct sftp_call *c, struct sftp_priv *s, const char *name)
{
	char	*path = remote_join(s->root, name);

	c->s = s;
	c->url = sftp_url(s, path);
	free(path);
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
	if (s->npins > 0) {
		curl_easy_setopt(h, CURLOPT_SSH_HOSTKEYFUNCTION, sftp_hostkey);
		curl_easy_setopt(h, CURLOPT_SSH_HOSTKEYDATA, x);
	} else if (s->known_hosts != NULL)
		curl_easy_setopt(h, CURLOPT_SSH_KNOWNHOSTS, s->known_hosts);
	return 0;
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

/* What sftp_prepare_cmds adds: SFTP commands after the transfer. */
struct sftp_cmds {
	struct sftp_call	 c;
	const char		*cmds[3];
	int			 create_dirs;
};

/* xreq_prepare with the commands that follow the transfer. */
static int
sftp_prepare_cmds(struct xfer *x, struct xreq *rq, void *arg)
{
	struct sftp_cmds	*sc = arg;
	int			 i;

	for (i = 0; sc->cmds[i] != NULL; i++)
		rq->postquote = curl_slist_append(rq->postquote, sc->cmds[i]);
	rq->create_dirs = sc->create_dirs;
	return sftp_prepare(x, rq, &sc->c);
}

/*
 * STAT path, then run one SFTP command (or none: cmd NULL) if it exists:
 * REMOTE_OK, REMOTE_ABSENT when path is not there, REMOTE_EXISTS when the
 * command failed, or an error.
 */
static int
sftp_command(struct xfer *x, const char *path, const char *cmd)
{
	struct sftp_cmds	 sc;
	struct xreq		 rq;
	int			 rc;

	memset(&sc, 0, sizeof sc);
	sc.c.s = x->remote->priv;
	sc.c.url = sftp_url(sc.c.s, path);
	sc.cmds[0] = cmd;
	xreq_init(&rq, "STAT");
	rq.nobody = 1;
	rc = xreq_perform(x, &rq, sftp_prepare_cmds, &sc);
	if (rc == REMOTE_OK && rq.status == 404)
		rc = REMOTE_ABSENT;
	else if (rc != REMOTE_OK && rq.curl_rc == CURLE_QUOTE_ERROR)
		rc = REMOTE_EXISTS;
	xreq_free(&rq);
	free(sc.c.url);
	return rc;
}

/* Remove a temporary file a killed upload left; REMOTE_OK or an error. */
static int
sftp_discard(struct xfer *x, const char *tmp)
{
	char	*q, *cmd;
	int	 rc;

	q = sftp_quote(tmp);
	xasprintf(&cmd, "rm %s", q);
	rc = sftp_command(x, tmp, cmd);
	free(cmd);
	free(q);
	return rc == REMOTE_ABSENT ? REMOTE_OK : rc;
}

/*
 * Ask the server what is free on the disk of the remote's folder (curl's
 * statvfs command, after a STAT of it): *avail bytes and *inodes free.
 * 0, or -1 when it does not say (no statvfs@openssh.com, or an error).
 */
static int
sftp_room(struct xfer *x, long long *avail, long long *inodes)
{
	struct sftp_priv	*s = x->remote->priv;
	struct sftp_cmds	 sc;
	struct xreq		 rq;
	char			*q, *cmd, saved[sizeof x->error];
	int			 rc;

	memcpy(saved, x->error, sizeof saved);	/* the failure said */
	memset(&sc, 0, sizeof sc);
	sc.c.s = s;
	sc.c.url = sftp_url(s, s->root);
	q = sftp_quote(s->root);
	xasprintf(&cmd, "statvfs %s", q);
	sc.cmds[0] = cmd;
	xreq_init(&rq, "STAT");
	rq.nobody = 1;
	rc = xreq_perform(x, &rq, sftp_prepare_cmds, &sc);
	*avail = rq.vfs_bavail >= 0 && rq.vfs_frsize > 0 &&
	    rq.vfs_bavail <= LLONG_MAX / rq.vfs_frsize ?
	    rq.vfs_bavail * rq.vfs_frsize : -1;
	*inodes = rq.vfs_favail;
	xreq_free(&rq);
	free(sc.c.url);
	free(cmd);
	free(q);
	memcpy(x->error, saved, sizeof saved);
	if (rc != REMOTE_OK || *avail < 0)
		return -1;
	pthread_mutex_lock(&s->lock);
	s->free_known = *avail;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Say that up does not fit in avail bytes: x->full XFER_NOFIT. */
static void
sftp_nofit(struct xfer *x, const struct upload *up, long long avail)
{
	char	a[32], n[32];

	fmt_size(up->size, n, sizeof n);
	fmt_size((uint64_t)avail, a, sizeof a);
	xfer_error(x, "does not fit: %s, and %s free on the remote's disk", n,
	    a);
	x->full = XFER_NOFIT;
}

/*
 * Before an upload: once the server said its disk had less room than up
 * needs (sftp_room, less what went up since), ask again, and do not try
 * it if it still does not fit. 1 to try, 0 (x->full XFER_NOFIT) not.
 */
static int
sftp_fits(struct xfer *x, const struct upload *up)
{
	struct sftp_priv	*s = x->remote->priv;
	long long		 known, avail, inodes;

	pthread_mutex_lock(&s->lock);
	known = s->free_known;
	pthread_mutex_unlock(&s->lock);
	if (known < 0 || up->size <= (uint64_t)known)
		return 1;
	if (sftp_room(x, &avail, &inodes) == -1 ||
	    up->size <= (uint64_t)avail)
		return 1;
	sftp_nofit(x, up, avail);
	return 0;
}

/*
 * After a failed upload: was it for want of room? A file bigger than what
 * is free is REMOTE_FAIL, x->full XFER_NOFIT (smaller ones may fit); a
 * disk without a free inode stops the remote for the run, REMOTE_STOP
 * and XFER_FULL. Otherwise rc, as it was.
 */
static int
sftp_failed(struct xfer *x, const struct upload *up, int rc)
{
	long long	avail, inodes;

	if (rc != REMOTE_FAIL || x->full != 0 ||
	    sftp_room(x, &avail, &inodes) == -1)
		return rc;
	if (up->size > (uint64_t)avail) {
		sftp_nofit(x, up, avail);
		return REMOTE_FAIL;
	}
	if (inodes == 0) {
		xfer_error(x, "no room left for new files on the remote's disk "
		    "(no inode free): make room there; the files left stay "
		    "queued");
		x->full = XFER_FULL;
		return REMOTE_STOP;
	}
	return rc;
}

/*
 * Upload to a temporary name, set its mtime, then rename it to name
 * unless something has that name by then. REMOTE_EXISTS when it had.
 * One that does not fit is not tried, or given up (sftp_failed).
 */
static int
sftp_put(struct xfer *x, const struct upload *up, const char *name)
{
	struct sftp_cmds	 sc;
	struct sftp_priv	*s = x->remote->priv;
	struct xreq		 rq;
	struct tm		 tm;
	time_t			 t = (time_t)(up->mtime_ns / 1000000000);
	unsigned char		 md[32];
	char			*path, *tmp, *qp, *qt, *mt, *mv;
	char			 date[64], hex[65];
	int			 fd, rc, moved = 0;

	path = remote_join(s->root, name);
	tmp = remote_tmp_name(path);
	qp = sftp_quote(path);
	qt = sftp_quote(tmp);
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	xasprintf(&mt, "*mtime \"%s\" %s", date, qt);
	xasprintf(&mv, "rename %s %s", qt, qp);
	memset(&sc, 0, sizeof sc);
	sc.c.s = s;
	sc.c.url = sftp_url(s, tmp);
	sc.cmds[0] = mt;
	sc.create_dirs = 1;

	if (!sftp_fits(x, up) || (fd = remote_open_file(x, up)) == -1) {
		rc = REMOTE_FAIL;
		goto out;
	}
	if ((rc = remote_note_tmp(x, up, tmp)) != REMOTE_OK) {
		close(fd);
		goto out;
	}
	xreq_init(&rq, "PUT");
	rq.has_body = 1;
	rq.body.fd = fd;
	rq.body.len = up->size;
	rq.body.sha = EVP_MD_CTX_new();
	rc = xreq_perform(x, &rq, sftp_prepare_cmds, &sc);
	if (rc == REMOTE_OK && rq.status == 404) {
		/* curl's "remote file not found": it could not be made */
		xfer_error(x, "the server could not create %s (a folder it "
		    "cannot make, or a read-only server)", tmp);
		rc = REMOTE_FAIL;
	} else if (rc == REMOTE_OK && rq.body.pos != up->size) {
		xfer_error(x, "the server took %llu of its %llu bytes",
		    (unsigned long long)rq.body.pos,
		    (unsigned long long)up->size);
		rc = REMOTE_FAIL;
	} else if (rc == REMOTE_OK) {
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
	if (rc == REMOTE_OK) {
		pthread_mutex_lock(&s->lock);
		if (s->free_known >= 0)
			s->free_known = (uint64_t)s->free_known > up->size ?
			    s->free_known - (long long)up->size : 0;
		pthread_mutex_unlock(&s->lock);
	} else
		rc = sftp_failed(x, up, rc);
	/* the name still free? (some servers' rename would replace) */
	if (rc == REMOTE_OK && (rc = sftp_command(x, path, NULL)) ==
	    REMOTE_OK)
		rc = REMOTE_EXISTS;
	else if (rc == REMOTE_ABSENT) {
		/*
		 * The temporary gone: a try of this rename that the server
		 * carried out, though the connection dropped before its
		 * answer came, and the retry found nothing to rename. Where
		 * the file is now tells (as for WebDAV's MOVE).
		 */
		if ((rc = sftp_command(x, tmp, mv)) == REMOTE_ABSENT &&
		    (rc = remote_probe_stat(x, up, name)) == REMOTE_SAME)
			rc = REMOTE_OK;
		else if (rc == REMOTE_OTHER)
			rc = REMOTE_EXISTS;	/* taken meanwhile */
		if (rc == REMOTE_OK)
			moved = 1;
		else if (rc == REMOTE_ABSENT) {
			xfer_error(x, "the upload is not on the server: %s is "
			    "gone (a server that keeps nothing?)", tmp);
			rc = REMOTE_FAIL;
		} else if (rc == REMOTE_EXISTS &&
		    sftp_command(x, path, NULL) != REMOTE_OK) {
			/* a full disk too: a rename may need an inode */
			xfer_error(x, "renaming the upload to %s failed", name);
			rc = sftp_failed(x, up, REMOTE_FAIL);
		}
	}
	if (!moved && sftp_discard(x, tmp) != REMOTE_OK)
		goto out;	/* the catalogue keeps its name */
	remote_note_tmp(x, up, NULL);
out:
	free(sc.c.url);
	free(mt);
	free(mv);
	free(qp);
	free(qt);
	free(tmp);
	free(path);
	return rc;
}

static int	sftp_stat(struct xfer *, const struct upload *, const char *,
	    int, struct remote_stat *);
static int	sftp_get(struct xfer *, const char *, int, uint64_t,
		    struct remote_got *);
static int	sftp_list(struct xfer *, remote_each, void *);

const struct remote_ops remote_sftp_ops = {
	"sftp", sftp_open, remote_probe_stat, sftp_put, sftp_discard, sftp_close,
	.stat = sftp_stat,
	.get = sftp_get, .list = sftp_list
};

/*
 * verify --remote: what an SFTP stat says of the file at name (its size);
 * with full, the file read back and hashed too. REMOTE_OK, REMOTE_ABSENT,
 * or an error.
 */
static int
sftp_stat(struct xfer *x, const struct upload *up, const char *name,
    int full, struct remote_stat *st)
{
	struct sftp_call	c;
	struct xreq		rq;
	int			rc;

	sftp_call_at(&c, x->remote->priv, name);
	xreq_init(&rq, "STAT");
	rq.nobody = 1;
	if ((rc = xreq_perform(x, &rq, sftp_prepare, &c)) != REMOTE_OK)
		goto out;
	if (rq.status == 404) {
		rc = REMOTE_ABSENT;
		goto out;
	}
	/* curl reports no length (-1) for an empty file */
	st->size = rq.length >= 0 ? rq.length : 0;
	if (full)
		rc = remote_stat_read(x, up, sftp_prepare, &c, st);
out:
	xreq_free(&rq);
	free(c.url);
	return rc;
}

/* Download the file name into fd (remote_ops.get). */
static int
sftp_get(struct xfer *x, const char *name, int fd, uint64_t max,
    struct remote_got *got)
{
	struct sftp_call	c;
	int			rc;

	sftp_call_at(&c, x->remote->priv, name);
	rc = remote_fetch(x, sftp_prepare, &c, fd, max, got);
	free(c.url);
	return rc;
}

#define SFTP_LIST_DEPTH	64			/* folders below folders */
#define SFTP_LIST_MAX	(16 * 1024 * 1024)	/* a folder's listing */

/* A folder being listed: its path under the prefix, its sub-folders. */
struct sftp_listing {
	const char	*rel;
	remote_each	 each;
	void		*arg;
	char		**sub;
	size_t		 nsub;
	size_t		 cap;
};

/* One entry of a folder: a file given, a folder kept for later. */
static int
sftp_list_one(void *arg, const char *name, int folder, uint64_t size)
{
	struct sftp_listing	*l = arg;
	struct remote_entry	 e = { NULL, NULL, 0, NULL };
	char			*rel;
	int			 rc = 0;

	rel = remote_join(l->rel, name);
	if (folder) {
		if (l->nsub == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->sub = xreallocarray(l->sub, l->cap, sizeof *l->sub);
		}
		l->sub[l->nsub++] = rel;
		return 0;
	}
	e.name = rel;
	e.alt = NULL;
	e.size = size;
	rc = l->each(l->arg, &e);
	free(rel);
	return rc;
}

/* List the folder rel under the root, then each folder in it. */
static int
sftp_list_dir(struct xfer *x, struct sftp_listing *up, const char *rel,
    int depth)
{
	struct sftp_listing	 l = *up;
	struct sftp_call	 c;
	struct xreq		 rq;
	char			*path, *dir;
	size_t			 i;
	int			 rc, prc;

	l.rel = rel;
	l.sub = NULL;
	l.nsub = l.cap = 0;
	c.s = x->remote->priv;
	path = remote_join(c.s->root, rel);
	xasprintf(&dir, "%s/", path);
	c.url = sftp_url(c.s, dir);
	xreq_init(&rq, "GET");
	rq.resp_cap = SFTP_LIST_MAX;
	if ((rc = xreq_perform(x, &rq, sftp_prepare, &c)) != REMOTE_OK)
		goto out;
	if (rq.status == 404) {
		xfer_error(x, "%s: no such folder", dir);
		rc = REMOTE_FAIL;
	} else if (rq.status != 0)
		rc = xreq_http_error(x, &rq, NULL);
	else if (rq.resplen >= SFTP_LIST_MAX) {
		xfer_error(x, "%s: a listing of more than %d MB", dir,
		    SFTP_LIST_MAX / 1024 / 1024);
		rc = REMOTE_FAIL;
	} else if ((prc = sftp_list_parse(rq.resp ? rq.resp : "",
	    rq.resplen, sftp_list_one, &l)) != 0) {
		if (prc == -1)
			xfer_error(x, "%s: the listing is not understood", dir);
		rc = REMOTE_FAIL;
	}
	xreq_free(&rq);
	for (i = 0; i < l.nsub && rc == REMOTE_OK; i++) {
		if (depth >= SFTP_LIST_DEPTH) {
			if (REMOTE_UNLISTED(l.each, l.arg, l.sub[i],
			    "folders too deep (over 64); not listed") == -1)
				rc = REMOTE_FAIL;
		} else
			rc = sftp_list_dir(x, &l, l.sub[i], depth + 1);
	}
out:
	for (i = 0; i < l.nsub; i++)
		free(l.sub[i]);
	free(l.sub);
	free(c.url);
	free(dir);
	free(path);
	return rc;
}

/* Every file under the remote's folder (remote_ops.list). */
static int
sftp_list(struct xfer *x, remote_each each, void *arg)
{
	struct sftp_listing	l;

	memset(&l, 0, sizeof l);
	l.each = each;
	l.arg = arg;
	return sftp_list_dir(x, &l, "", 0);
}
