{{/* nginx.conf of the routing proxy (ConfigMap <release>-proxy), used when
     Harbor is not exposed through an Ingress. It sends the API, token service,
     registry and artifact paths to core and everything else to the portal,
     listens on 8080 as a non-root user and writes only under /tmp. */}}
{{- define "harbor.proxy.nginxConf" -}}
{{- $core := printf "%s-core" .Release.Name -}}
{{- $portal := printf "%s-portal" .Release.Name -}}
worker_processes auto;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;

events {
    worker_connections 3096;
    use epoll;
    multi_accept on;
}

http {
    client_body_temp_path /tmp/client_body_temp;
    proxy_temp_path       /tmp/proxy_temp;
    fastcgi_temp_path     /tmp/fastcgi_temp;
    uwsgi_temp_path       /tmp/uwsgi_temp;
    scgi_temp_path        /tmp/scgi_temp;

    access_log /dev/stdout;
    server_tokens off;
    tcp_nodelay on;

    # Keep the scheme a load balancer in front of us saw; fall back to ours.
    map $http_x_forwarded_proto $forwarded_proto {
        default $http_x_forwarded_proto;
        ""      $scheme;
    }

    upstream harbor_core {
        server {{ $core }}:80;
    }

    upstream harbor_portal {
        server {{ $portal }}:80;
    }

    server {
        listen 8080;

        # Image layers can be large; stream them instead of buffering.
        client_max_body_size 0;
        chunked_transfer_encoding on;
        proxy_buffering off;
        proxy_request_buffering off;
        proxy_http_version 1.1;

        proxy_set_header Host $http_host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $forwarded_proto;

        location / {
            proxy_pass http://harbor_portal/;
        }

        location /api/ {
            proxy_pass http://harbor_core/api/;
        }

        location /service/ {
            proxy_pass http://harbor_core/service/;
        }

        location /v2/ {
            proxy_pass http://harbor_core/v2/;
        }

        location /c/ {
            proxy_pass http://harbor_core/c/;
        }

        # The Docker v1 API is not served.
        location /v1/ {
            return 404;
        }
    }
}
{{- end -}}
