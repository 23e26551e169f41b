// Smoke test: calls to every served service through the AWS SDK for JavaScript v3, each answer checked against the
// value rootplane must give; prints "OK" or "FAIL" per check and exits 1 on any failure.
import { createHash } from "node:crypto";
import { STSClient, GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { IAMClient, CreateUserCommand, ListUsersCommand, GetAccountSummaryCommand } from "@aws-sdk/client-iam";
import { OrganizationsClient, CreateOrganizationCommand, DescribeOrganizationCommand } from "@aws-sdk/client-organizations";
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListBucketsCommand, PutBucketPolicyCommand, GetBucketPolicyCommand } from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, DeleteMessageCommand, GetQueueAttributesCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import { AccountClient, GetContactInformationCommand, ListRegionsCommand } from "@aws-sdk/client-account";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { EventBridgeClient, PutRuleCommand, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { CloudWatchClient, PutMetricDataCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";

const ACCOUNT = "000000000000";
const endpoint = process.argv[2];
const base = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const md5 = (text) => createHash("md5").update(text).digest("hex");
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let failures = 0;

// Run one call; `expected` is the value `fn` must resolve to (compared as JSON) or a predicate on it.
const check = async (name, fn, expected) => {
  try {
    const got = await fn();
    const ok = typeof expected === "function" ? expected(got) === true : same(got, expected);
    if (!ok) failures++;
    console.log(ok ? "OK  " : "FAIL", name, JSON.stringify(got ?? null).slice(0, 200));
    return got;
  } catch (e) {
    failures++;
    console.log("FAIL", name, e.name, e.message, e.$metadata?.httpStatusCode);
    return undefined;
  }
};
// Poll an asynchronous effect (SNS delivery, CloudTrail's queue) until `fn` resolves to a truthy value or 20 s pass.
const eventually = async (fn) => {
  const deadline = Date.now() + 20000;
  for (;;) {
    const got = await fn();
    if (got || Date.now() > deadline) return got;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

const sts = new STSClient(base), iam = new IAMClient(base), org = new OrganizationsClient(base);
const s3 = new S3Client({ ...base, forcePathStyle: true }), sqs = new SQSClient(base), sns = new SNSClient(base);
const acct = new AccountClient(base), ct = new CloudTrailClient(base), eb = new EventBridgeClient(base);
const cw = new CloudWatchClient(base);

await check("sts GetCallerIdentity", () => sts.send(new GetCallerIdentityCommand({})).then(r => [r.Account, r.Arn]),
  [ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`]);
const session = await check("sts GetSessionToken", () => sts.send(new GetSessionTokenCommand({})).then(r => r.Credentials),
  (c) => /^ASIA[A-Z0-9]{16}$/.test(c.AccessKeyId) && c.SecretAccessKey.length === 40 && c.SessionToken.length > 0);
await check("sts GetCallerIdentity with the session", () => new STSClient({ ...base, credentials: {
  accessKeyId: session.AccessKeyId, secretAccessKey: session.SecretAccessKey, sessionToken: session.SessionToken } })
  .send(new GetCallerIdentityCommand({})).then(r => r.Arn), `arn:aws:iam::${ACCOUNT}:root`);

await check("iam CreateUser", () => iam.send(new CreateUserCommand({ UserName: "jsuser" })).then(r => [r.User.UserName, r.User.Arn]),
  ["jsuser", `arn:aws:iam::${ACCOUNT}:user/jsuser`]);
await check("iam ListUsers", () => iam.send(new ListUsersCommand({})).then(r => r.Users.map(u => u.UserName)), ["jsuser"]);
await check("iam GetAccountSummary", () => iam.send(new GetAccountSummaryCommand({})).then(r => [r.SummaryMap.Users, r.SummaryMap.AccountAccessKeysPresent]),
  [1, 1]);

await check("org CreateOrganization", () => org.send(new CreateOrganizationCommand({ FeatureSet: "ALL" })).then(r => r.Organization),
  (o) => /^o-[a-z0-9]{10,32}$/.test(o.Id) && o.FeatureSet === "ALL" && o.MasterAccountId === ACCOUNT);
await check("org DescribeOrganization", () => org.send(new DescribeOrganizationCommand({})).then(r => [r.Organization.MasterAccountId, r.Organization.FeatureSet]),
  [ACCOUNT, "ALL"]);

const policy = { Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::js-bucket/secret/*" }] };
await check("s3 CreateBucket", () => s3.send(new CreateBucketCommand({ Bucket: "js-bucket" })).then(r => r.Location), "/js-bucket");
await check("s3 PutObject", () => s3.send(new PutObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt", Body: "hello js" })).then(r => r.ETag),
  `"${md5("hello js")}"`);
await check("s3 GetObject", async () => { const r = await s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "a/b.txt" })); return [await r.Body.transformToString(), r.ContentLength]; },
  ["hello js", 8]);
await check("s3 ListBuckets", () => s3.send(new ListBucketsCommand({})).then(r => r.Buckets.map(b => b.Name)), ["js-bucket"]);
await check("s3 PutBucketPolicy", () => s3.send(new PutBucketPolicyCommand({ Bucket: "js-bucket", Policy: JSON.stringify(policy) })).then(r => r.$metadata.httpStatusCode),
  (status) => status === 204 || status === 200);
await check("s3 GetBucketPolicy", () => s3.send(new GetBucketPolicyCommand({ Bucket: "js-bucket" })).then(r => JSON.parse(r.Policy)), policy);
await check("s3 virtual-host ListBuckets", () => new S3Client(base).send(new ListBucketsCommand({})).then(r => r.Buckets.map(b => b.Name)), ["js-bucket"]);

const url = await check("sqs CreateQueue", () => sqs.send(new CreateQueueCommand({ QueueName: "js-queue" })).then(r => r.QueueUrl),
  (u) => u.endsWith(`/${ACCOUNT}/js-queue`));
const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:js-queue`;
await check("sqs SendMessage", () => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "hi", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } })).then(r => r.MD5OfMessageBody),
  md5("hi"));
const received = async () => {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }));
  for (const m of r.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  return r.Messages ?? [];
};
await check("sqs ReceiveMessage", () => received().then(ms => ms.map(m => [m.Body, m.MD5OfBody, m.MessageAttributes.k.StringValue])),
  [["hi", md5("hi"), "v"]]);
await check("sqs GetQueueAttributes", () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })).then(r => [r.Attributes.QueueArn, r.Attributes.VisibilityTimeout]),
  [queueArn, "30"]);

const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:js-topic`;
await check("sns CreateTopic", () => sns.send(new CreateTopicCommand({ Name: "js-topic" })).then(r => r.TopicArn), topicArn);
await check("sqs SetQueueAttributes (SNS may send)", () => sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify({
  Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn }] }) } }))
  .then(r => r.$metadata.httpStatusCode), 200);
const subscription = await check("sns Subscribe", () => sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn })).then(r => r.SubscriptionArn),
  (arn) => arn.startsWith(`${topicArn}:`));
await check("sns ListSubscriptionsByTopic", () => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn })).then(r => r.Subscriptions.map(s => [s.SubscriptionArn, s.Protocol, s.Endpoint])),
  [[subscription, "sqs", queueArn]]);
await check("sns GetTopicAttributes", () => sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })).then(r => [r.Attributes.TopicArn, r.Attributes.Owner, r.Attributes.SubscriptionsConfirmed]),
  [topicArn, ACCOUNT, "1"]);
const messageId = await check("sns Publish", () => sns.send(new PublishCommand({ TopicArn: topicArn, Subject: "js", Message: "hello sns" })).then(r => r.MessageId),
  (id) => /^[0-9a-f-]{36}$/.test(id));
await check("sns delivers to the SQS subscription", () => eventually(() => received().then(ms => ms.length ? ms : null))
  .then(ms => (ms ?? []).map(m => JSON.parse(m.Body)).map(n => [n.Type, n.MessageId, n.TopicArn, n.Subject, n.Message])),
  [["Notification", messageId, topicArn, "js", "hello sns"]]);

await check("account GetContactInformation", () => acct.send(new GetContactInformationCommand({})).then(r => r.ContactInformation),
  (info) => typeof info.FullName === "string" && typeof info.PhoneNumber === "string");
await check("account ListRegions", () => acct.send(new ListRegionsCommand({ MaxResults: 2 })).then(r => [r.Regions.length, typeof r.NextToken]),
  [2, "string"]);
await check("cloudtrail LookupEvents", () => eventually(() => ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateUser" }] }))
  .then(r => r.Events.length ? r.Events : null)).then(es => (es ?? []).map(e => [e.EventName, e.EventSource, JSON.parse(e.CloudTrailEvent).requestParameters.userName])),
  [["CreateUser", "iam.amazonaws.com", "jsuser"]]);
await check("events PutRule", () => eb.send(new PutRuleCommand({ Name: "js-rule", EventPattern: JSON.stringify({ detail: { userIdentity: { type: ["Root"] } } }) })).then(r => r.RuleArn),
  `arn:aws:events:us-east-1:${ACCOUNT}:rule/js-rule`);
await check("events ListRules", () => eb.send(new ListRulesCommand({})).then(r => r.Rules.map(x => [x.Name, x.State])), [["js-rule", "ENABLED"]]);

await check("cloudwatch PutMetricData", () => cw.send(new PutMetricDataCommand({ Namespace: "Js", MetricData: [{ MetricName: "Calls", Value: 2, Timestamp: new Date() }] })).then(r => r.$metadata.httpStatusCode),
  200);
await check("cloudwatch GetMetricStatistics", () => cw.send(new GetMetricStatisticsCommand({ Namespace: "Js", MetricName: "Calls", Period: 3600, Statistics: ["Sum"], StartTime: new Date(Date.now() - 3600e3), EndTime: new Date(Date.now() + 3600e3) }))
  .then(r => r.Datapoints.reduce((a, p) => a + p.Sum, 0)), 2);
await check("cloudwatch PutMetricAlarm", () => cw.send(new PutMetricAlarmCommand({ AlarmName: "js-alarm", Namespace: "Js", MetricName: "Calls", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" })).then(r => r.$metadata.httpStatusCode),
  200);
await check("cloudwatch DescribeAlarms", () => cw.send(new DescribeAlarmsCommand({ AlarmNames: ["js-alarm"] })).then(r => r.MetricAlarms.map(a => [a.AlarmName, a.AlarmArn])),
  [["js-alarm", `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:js-alarm`]]);

await check("unknown key refused", () => new STSClient({ ...base, credentials: { accessKeyId: "AKIAXXXXXXXXXXXXXXXX", secretAccessKey: "x" } })
  .send(new GetCallerIdentityCommand({})).then(() => null, (e) => [e.name, e.$metadata.httpStatusCode]), ["InvalidClientTokenId", 403]);
process.exit(failures ? 1 : 0);
