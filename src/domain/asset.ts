/** An asset as the catalog knows it. Limits are in base units of the asset's own scale. */
export type AssetDefinition = Readonly<{
  code: string;
  decimals: number;
  networks: readonly string[];
  minAmount: bigint | null;
  maxAmount: bigint | null;
}>;

/** The registered assets by code: decisions about amounts take it as context. */
export type AssetCatalog = ReadonlyMap<string, AssetDefinition>;
