import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface PiiKeysProps {
  readonly prod: boolean;
  readonly stackName: string;
}

/**
 * The two keys behind PII protection:
 * - the HMAC masking keyring (`{"current":"v1","v1":"<secret>"}`), which
 *   turns IPs and device ids into stable pseudonyms;
 * - the vault key-encryption key (KMS), which wraps the data keys that seal
 *   the originals for lawful unmasking.
 *
 * Only {@link grantPipeline}'s grantee may use them. The key policy keeps the
 * CDK default (the account may delegate through IAM), so the operator's
 * unmask role gets kms:Decrypt from an IAM policy outside this stack.
 */
export class PiiKeys extends Construct {
  readonly maskingSecret: secretsmanager.Secret;
  readonly vaultKey: kms.Key;

  constructor(scope: Construct, id: string, props: PiiKeysProps) {
    super(scope, id);
    // Losing either key in production makes stored pseudonyms unjoinable
    // (keyring) or the vault unreadable (KEK), so production retains them.
    const removalPolicy = props.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.maskingSecret = new secretsmanager.Secret(this, 'MaskingKeyring', {
      description: 'login-etl HMAC masking keyring {"current":"v1","v1":"<secret>"}; rotate with npm run rotate-key',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ current: 'v1' }),
        generateStringKey: 'v1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy,
    });
    Validations.of(this.maskingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'An HMAC keyring, not a credential: rotation adds a new key version next to the old ones (npm run rotate-key) so existing pseudonyms stay verifiable. Secrets Manager rotation would replace the whole value and orphan every stored token.',
    });

    this.vaultKey = new kms.Key(this, 'VaultKek', {
      alias: `alias/${props.stackName}/vault-kek`,
      description: 'login-etl PII vault key-encryption key: wraps the data keys that seal original IPs and device ids',
      enableKeyRotation: true,
      pendingWindow: Duration.days(props.prod ? 30 : 7),
      removalPolicy,
    });
  }

  /**
   * The pipeline reads the keyring and asks KMS for new data keys. It gets no
   * kms:Decrypt: it only seals, and unwrapping is the operator unmask tool's.
   */
  grantPipeline(grantee: iam.IGrantable): void {
    this.maskingSecret.grantRead(grantee);
    this.vaultKey.grant(grantee, 'kms:GenerateDataKey');
  }
}
