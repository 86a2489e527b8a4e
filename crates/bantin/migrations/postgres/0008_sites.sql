-- Many sites in one deployment: a province's portal and its communes'.
--
-- * public_url: how readers reach the site; links, feeds, sitemaps and
--   cookies come from it, never from a request's Host header.
-- * parent_id: the province's portal a commune's site is part of.
-- * disabled: a disabled site answers nothing (as an unknown host).
-- * show_in_parent: whether the commune's news appears on its province's
--   portal ("Tin từ các xã", the province-wide search); the commune's admin
--   decides.
-- * site_hosts: every host a site answers to (its own, and aliases such as
--   www.): one row each, so no two sites can claim a host.
ALTER TABLE sites ADD COLUMN public_url TEXT;
ALTER TABLE sites ADD COLUMN parent_id BIGINT REFERENCES sites(id);
ALTER TABLE sites ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sites ADD COLUMN show_in_parent BOOLEAN NOT NULL DEFAULT TRUE;
CREATE INDEX sites_parent ON sites (parent_id);

CREATE TABLE site_hosts (
    host    TEXT PRIMARY KEY,           -- lower case, no port, no trailing dot
    site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE
);
CREATE INDEX site_hosts_site ON site_hosts (site_id);
INSERT INTO site_hosts (host, site_id) SELECT lower(host), id FROM sites WHERE host IS NOT NULL;

-- The province IT office's accounts: admins of their own site who may also
-- create and disable sites and manage every site's users and settings.
ALTER TABLE users ADD COLUMN operator BOOLEAN NOT NULL DEFAULT FALSE;

-- "Tin từ các xã": the newest public articles of several sites.
CREATE INDEX articles_published ON articles (status, published_at DESC, site_id);
