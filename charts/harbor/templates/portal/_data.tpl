{{/* nginx.conf of the portal (ConfigMap <release>-portal): serves the static UI
     on 8080 as a non-root user; every writable path is under /tmp (emptyDir),
     so the root filesystem stays read-only. */}}
{{- define "harbor.portal.nginxConf" -}}
worker_processes auto;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;

events {
    worker_connections 1024;
}

http {
    # Temporary files of nginx go to the writable emptyDir.
    client_body_temp_path /tmp/client_body_temp;
    proxy_temp_path       /tmp/proxy_temp;
    fastcgi_temp_path     /tmp/fastcgi_temp;
    uwsgi_temp_path       /tmp/uwsgi_temp;
    scgi_temp_path        /tmp/scgi_temp;

    include /etc/nginx/mime.types;
    access_log /dev/stdout;
    server_tokens off;

    server {
        listen 8080;
        server_name localhost;
        root /usr/share/nginx/html;
        index index.html index.htm;

        gzip on;
        gzip_min_length 1000;
        gzip_proxied expired no-cache no-store private auth;
        gzip_types text/plain text/css text/xml text/javascript application/json application/javascript application/xml;

        # The single-page app handles its own routes.
        location / {
            try_files $uri $uri/ /index.html;
        }

        # The API explorer page.
        location /devcenter-api-2.0 {
            try_files $uri $uri/ /swagger-ui-index.html;
        }

        # Never cache the entry page, so a new UI version loads at once.
        location = /index.html {
            add_header Cache-Control "no-store, no-cache, must-revalidate";
        }
    }
}
{{- end -}}
