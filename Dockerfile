# Crm.Actors node image. Build: docker build -t crm-actors .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props Crm.Actors.sln ./
COPY src/Crm.Actors/Crm.Actors.csproj src/Crm.Actors/
COPY src/Crm.Host/Crm.Host.csproj src/Crm.Host/
COPY src/Crm.Management/Crm.Management.csproj src/Crm.Management/
COPY src/Crm.Cli/Crm.Cli.csproj src/Crm.Cli/
RUN dotnet restore src/Crm.Host/Crm.Host.csproj && dotnet restore src/Crm.Cli/Crm.Cli.csproj
COPY hocon/ hocon/
COPY src/ src/
RUN dotnet publish src/Crm.Host/Crm.Host.csproj --configuration Release --no-restore --output /app
# The operator CLI rides along, as pbm does in Petabridge.Cmd images: docker exec <node> crm-cmd cluster show
RUN dotnet publish src/Crm.Cli/Crm.Cli.csproj --configuration Release --no-restore --output /app/cli

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# librdkafka (inside Confluent.Kafka) links against Cyrus SASL; the slim base image does not carry it.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends libsasl2-2 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# CRM_TOKEN_FILE (e.g. /run/secrets/management_token) gives it the management token without an environment variable.
RUN printf '#!/bin/sh\nif [ -z "${CRM_TOKEN:-}" ] && [ -n "${CRM_TOKEN_FILE:-}" ]; then CRM_TOKEN=$(cat "$CRM_TOKEN_FILE") && export CRM_TOKEN; fi\nexec dotnet /app/cli/crm-cmd.dll "$@"\n' > /usr/local/bin/crm-cmd && chmod +x /usr/local/bin/crm-cmd
# Journal of the embedded default (SQLite) lives in a volume; production sets Persistence__Provider=PostgreSql.
RUN mkdir -p /data && chown "$APP_UID" /data
ENV Persistence__ConnectionString="Data Source=/data/crm.db" \
    Management__Port=9110
VOLUME /data
USER $APP_UID
# 4053: Akka.Remote (cluster); 9110: management (health, metrics, CLI). Both listen on loopback by default: set
# Cluster__Hostname (the name peers reach) with Cluster__BindHostname=0.0.0.0, and Management__Hostname=0.0.0.0 with
# Management__Token_FILE (a secret); see README "Security".
EXPOSE 4053 9110
ENTRYPOINT ["dotnet", "Crm.Host.dll"]
