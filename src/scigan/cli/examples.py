"""The examples printed under each command's ``--help``."""

EXAMPLES = {
    "forecast": (
        "examples:\n"
        "  scigan forecast sp500 --target Close --window 10 --out runs/forecast   # ~1 min on 2 cores\n"
        "  scigan forecast sp500 --seeds 5 --adv-weight 0.002 --out runs/forecast5\n"
        "  scigan forecast prices.csv --time-column Date --target Close --columns Open,High,Low,Close,Volume"
    ),
    "datasets": "examples:\n  scigan datasets\n  scigan datasets --json",
    "train": (
        "examples:\n"
        "  scigan train digits --steps 300 --out runs/digits\n"
        "  scigan train fashion-mnist --minutes 8 --out runs/fmnist\n"
        "  scigan train my_cells/ --size 64 --model resnet --loss hinge --diffaugment color,translation\n"
        "  scigan train my_cells/ --ada-target 0.6 --diffaugment color,translation    # adaptive augmentation\n"
        "  scigan train images.npz --unconditional --config my.toml --out runs/mine\n"
        "  scigan train digits --steps 600 --out runs/digits --resume    # continue a run\n"
        "  scigan train digits --nproc 2 --steps 200 --out runs/ddp    # 2 processes, global batch 2 x 64\n"
        "  scigan train breast-cancer --label-column target --steps 2000 --out runs/bc\n"
        "  scigan train gbsg2 --condition-columns label --out runs/gbsg2   # CTGAN's vector on the label only\n"
        "  scigan train visits.csv --label-column outcome --column-types age=integer,stage=categorical\n"
        "  scigan train pbmc68k --conditional --minutes 5 --out runs/pbmc\n"
        "  scigan train cells.h5ad --label-column cell_type --values counts\n"
        "  scigan train nuclei --task superres --scale 4 --steps 2000 --batch-size 16 --out runs/sr   # SRGAN\n"
        "  scigan train my_micrographs/ --task denoise --noise poisson --peak 20 --out runs/dn\n"
        "  scigan train pairs/ --task superres --scale 2    # pairs/lr/ and pairs/hr/, files paired by name\n"
        "  scigan train he-tile --task translate --steps 2000 --out runs/colour   # pix2pix: grayscale -> colour\n"
        "  scigan train stains/ --task cyclegan --out runs/cycle    # unpaired stains/A/ and stains/B/"
    ),
    "sample": (
        "examples:\n"
        "  scigan sample runs/digits -n 64 --out grid.png\n"
        "  scigan sample runs/fmnist -n 1000 --label Sneaker --out sneakers.npz\n"
        "  scigan sample runs/fmnist -n 100 --out synthetic/    # a folder of PNG files\n"
        "  scigan sample runs/bc -n 1000 --label malignant --out synthetic.parquet\n"
        "  scigan sample runs/pbmc -n 700 --out synthetic.h5ad"
    ),
    "evaluate": (
        "examples:\n  scigan evaluate runs/digits\n  scigan evaluate runs/fmnist --n 5000 --json\n"
        "  scigan evaluate runs/bc --json    # a table: detection_auc, utility_ratio, mia_auc, ..."
    ),
    "report": "examples:\n  scigan report runs/digits    # writes runs/digits/report.html",
    "provenance": (
        "examples:\n"
        "  scigan provenance grid.png synthetic.parquet cells.h5ad    # what made each file\n"
        "  scigan provenance samples.csv      # reads samples.csv.provenance.json beside it\n"
        "  scigan provenance drawn/*.png --json"
    ),
    "enhance": (
        "examples:\n"
        "  scigan enhance runs/sr low_res.tif --out sharp.tif        # any size; 16-bit TIFF stays 16-bit\n"
        "  scigan enhance runs/dn noisy_folder/ --out denoised/      # a folder: PNGs/TIFFs mirrored\n"
        "  scigan enhance runs/sr cell.png --out cell_x4.png --checkpoint 1000"
    ),
    "translate": (
        "examples:\n"
        "  scigan translate runs/colour gray.png --out coloured.png\n"
        "  scigan translate runs/stain stain_A_folder/ --out stain_B_folder/"
    ),
    "edit": (
        "examples:\n"
        "  scigan edit runs/fmnist interpolate --out walk.png                  # slerp, 4 rows of 8 frames\n"
        "  scigan edit runs/fmnist interpolate --method linear --label Sneaker --frames 12 --out walk.png\n"
        "  scigan edit runs/fmnist class-swap --rows 6 --out swap.png            # a column per class\n"
        '  scigan edit runs/fmnist class-swap --classes "Sneaker,Sandal,Ankle boot" --out shoes.png\n'
        "  scigan edit runs/fmnist-stylegan style-mix --rows 5 --out mix.png     # --model stylegan runs only"
    ),
    "augment": (
        "examples:\n"
        "  scigan augment digits --per-class 10                       # 5 seeds, about 3 minutes\n"
        "  scigan augment fashion-mnist --per-class 20 --repeats 3 --out runs/aug-fmnist\n"
        "  scigan augment fashion-mnist --per-class 20 --gan-steps 3000 --cnn-steps 1000 --filter 0.5\n"
        "  scigan augment breast-cancer --imbalance malignant=0.1 --classifier gboost\n"
        "  scigan augment breast-cancer --imbalance malignant=0.1 --classic reweight --mix 0.3\n"
        "  scigan augment my_cells/ --per-class 50 --flips --size 32\n"
        "  scigan augment fashion-mnist --per-class 20 --filter 0.9 --reuse-gans runs/aug-fmnist --out runs/aug-f09\n"
        "  scigan augment --config runs/aug-fmnist/config.toml --out runs/aug-again   # repeat an experiment"
    ),
}
