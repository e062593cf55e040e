// The mongo healthcheck in docker-compose.yml runs this with mongosh on every probe.
// First probe on an empty volume: initiate the single-node replica set rs0. Every probe: healthy
// only once this node is the writable primary, so the app starts against a usable database.
// The member host is the compose service name: clients discover the set through it.
const REPLICA_SET = 'rs0';
const MEMBER_HOST = 'mongo:27017';

try {
  rs.status();
} catch (error) {
  if (error.codeName !== 'NotYetInitialized') throw error;
  rs.initiate({ _id: REPLICA_SET, members: [{ _id: 0, host: MEMBER_HOST }] });
}

if (!db.hello().isWritablePrimary) quit(1);
