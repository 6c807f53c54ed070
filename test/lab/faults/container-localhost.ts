// Fault for the container-localhost check: an nginx-like container (image nginx:lab, a stand-in
// built from busybox:local whose `nginx` prints its configuration for `nginx -T` the way nginx does,
// and otherwise idles) with a site config, bind-mounted like the guide's, that proxies to localhost.

import type { LabHost } from '../host.ts';
import { buildImage, runDetached, writeHostFiles } from './build.ts';

export const NGINX_IMAGE = 'nginx:lab';

const NGINX = `#!/bin/sh
# Stand-in for nginx: -T prints every config file with the header nginx -T uses; else it idles.
if [ "$1" = "-T" ]; then
  echo "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok" >&2
  echo "nginx: configuration file /etc/nginx/nginx.conf test is successful" >&2
  for f in /etc/nginx/nginx.conf /etc/nginx/conf.d/*.conf; do
    [ -f "$f" ] || continue
    echo "# configuration file $f:"
    cat "$f"
    echo
  done
  exit 0
fi
exec sleep 100000
`;

const NGINX_CONF = `user nginx;
worker_processes auto;
events {
    worker_connections 1024;
}
http {
    include /etc/nginx/conf.d/*.conf;
}
`;

export async function buildNginxImage(host: LabHost): Promise<void> {
  await buildImage(
    host,
    NGINX_IMAGE,
    [
      'FROM busybox:local',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'COPY nginx /usr/sbin/nginx',
      'COPY nginx.conf /etc/nginx/nginx.conf',
      'CMD ["nginx", "-g", "daemon off;"]',
      '',
    ].join('\n'),
    { nginx: { content: NGINX, mode: '755' }, 'nginx.conf': { content: NGINX_CONF } },
  );
}

export function siteConfig(upstream: string): string {
  return `server {
    listen 80;
    server_name _;
    location /api {
        proxy_pass ${upstream};
    }
}
`;
}

/** Runs nginx:lab with conf.d bind-mounted from /tmp/NAME-conf.d in the host, proxying /api to `upstream`. */
export async function runNginxProxyingTo(host: LabHost, name: string, upstream: string): Promise<string> {
  const confDir = `/tmp/${name}-conf.d`;
  await writeHostFiles(host, { [`${confDir}/default.conf`]: { content: siteConfig(upstream) } });
  return runDetached(host, [
    '--network',
    'none',
    '--name',
    name,
    '-e',
    'LANG=C.UTF-8',
    '-v',
    `${confDir}:/etc/nginx/conf.d:ro`,
    NGINX_IMAGE,
  ]);
}
