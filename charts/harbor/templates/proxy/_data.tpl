{{/* nginx.conf of the routing proxy (ConfigMap <release>-proxy), used when
     Harbor is not exposed through an Ingress. It sends the API, token service,
     registry and artifact paths to core and everything else to the portal,
     listens on 8080 as a non-root user and writes only under /tmp.
     What it does follows upstream's own proxy (goharbor/harbor v2.13.5,
     v2.14.4, v2.15.1, v2.15.2 make/photon/prepare/templates/nginx/nginx.http.conf.jinja,
     identical at the four tags; harbor-helm v1.19.1 templates/nginx/configmap-http.yaml):
       - no body size limit, no buffering of requests or responses (layers);
       - X-Frame-Options DENY and CSP frame-ancestors 'none' on every answer
         (set on the server, so every location inherits them: none sets its own);
       - 900 s read and send timeouts on /v2/ and /c/ (upstream's v2.15.2
         http conf has them on both), so a large layer does not end in a 504
         after nginx's 60 s default;
       - 404 on /v1/ and on /service/notifications: the job-status hooks
         jobservice calls on core inside the cluster (goharbor/harbor v2.15.2
         src/server/route.go), never to be reached from outside;
       - Host: $http_host (with the port) on /v2/, $host elsewhere.
     No user-given string is written into this file: only the release name,
     which the CRD restricts to a DNS label. */}}
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

    # Request and upstream times in every access line.
    log_format timed_combined '$remote_addr - "$request" $status $body_bytes_sent '
                              '"$http_referer" "$http_user_agent" '
                              '$request_time $upstream_response_time $pipe';
    access_log /dev/stdout timed_combined;
    server_tokens off;
    tcp_nodelay on;

    # HTTP/1.1 to the upstreams: needed to stream request bodies unbuffered.
    proxy_http_version 1.1;

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

        # The UI must not be framed by other sites (clickjacking).
        add_header X-Frame-Options DENY;
        add_header Content-Security-Policy "frame-ancestors 'none'";

        proxy_set_header Host $host;
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

        # Job-status hooks jobservice calls on core; never from outside.
        location /service/notifications {
            return 404;
        }

        location /v2/ {
            proxy_pass http://harbor_core/v2/;
            # The registry builds absolute upload URLs (Location) from Host: keep the client's port.
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $forwarded_proto;
            proxy_read_timeout 900;
            proxy_send_timeout 900;
        }

        location /c/ {
            proxy_pass http://harbor_core/c/;
            proxy_read_timeout 900;
            proxy_send_timeout 900;
        }

        # The Docker v1 API is not served.
        location /v1/ {
            return 404;
        }
    }
}
{{- end -}}
