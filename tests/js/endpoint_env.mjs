// AWS_ENDPOINT_URL alone (no endpoint in the code) points the SDK for JavaScript v3 at rootplane.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));
console.log(identity.Arn);
